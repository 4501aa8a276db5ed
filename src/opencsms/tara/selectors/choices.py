"""What the structured "new element" forms offer (no YAML): for an asset, damage scenario or threat
scenario, the elements it may reference (pickers, not typed ids), the vocabulary's properties and STRIDE
classes, and the method profile's impact categories and levels, each with its label."""

from __future__ import annotations

from dataclasses import dataclass, field

from opencsms.engine.catalogue import vocabulary
from opencsms.engine.labels import words
from opencsms.tara.models import Kind, Tara
from opencsms.tara.selectors.create_spec import SPECS, Choices, Input, elements, id_choices, inputs

STRUCTURED = (Kind.ASSET, Kind.DAMAGE_SCENARIO, Kind.THREAT_SCENARIO)  # the kinds with a form of their own


@dataclass(frozen=True)
class CreateChoices:
    properties: Choices
    stride: Choices
    components: Choices = field(default_factory=list)
    assets: Choices = field(default_factory=list)
    damage_scenarios: Choices = field(default_factory=list)
    impact: list[tuple[str, str, Choices]] = field(default_factory=list)  # category, its label, the levels
    inputs: list[Input] = field(default_factory=list)  # the other kinds: their field spec (create_spec)
    ids: Choices = field(default_factory=list)  # the ids to pick from (an Annex 5 entry), else typed


def _refs(tara_obj: Tara, kind: Kind) -> Choices:
    return elements(tara_obj, kind)


def create_choices(
    tara_obj: Tara, kind: Kind, categories: tuple[str, ...], impact: Choices
) -> CreateChoices | None:
    """The choices of the kind's structured create form (`categories` and `impact` levels: the TARA's
    method profile's); the other kinds' from their field spec."""
    book = vocabulary()
    properties = [(e.id, e.label) for e in book.properties]
    stride = [(e.id, f"{e.id} {e.label}") for e in book.stride]
    if kind in SPECS:
        return CreateChoices(properties, stride, inputs=inputs(tara_obj, kind), ids=id_choices(kind))
    if kind not in STRUCTURED:
        return None
    if kind == Kind.ASSET:
        return CreateChoices(properties, stride, components=_refs(tara_obj, Kind.COMPONENT))
    if kind == Kind.DAMAGE_SCENARIO:
        return CreateChoices(properties, stride, impact=[(c, words(c), impact) for c in categories])
    return CreateChoices(
        properties,
        stride,
        assets=_refs(tara_obj, Kind.ASSET),
        damage_scenarios=_refs(tara_obj, Kind.DAMAGE_SCENARIO),
    )
