"""What the structured "new element" forms offer (no YAML): for an asset, damage scenario or threat
scenario, the elements it may reference (pickers, not typed ids), the vocabulary's properties and STRIDE
classes, and the method profile's impact categories and levels, each with its label."""

from __future__ import annotations

from dataclasses import dataclass, field

from opencsms.engine.catalogue import vocabulary
from opencsms.engine.labels import words
from opencsms.tara.models import Element, Kind, Tara

Choices = list[tuple[str, str]]
STRUCTURED = (Kind.ASSET, Kind.DAMAGE_SCENARIO, Kind.THREAT_SCENARIO)  # the kinds with a fields form
MAX_PICKS = 2000  # elements a picker lists; a larger TARA uses the YAML form for the rest


@dataclass(frozen=True)
class CreateChoices:
    properties: Choices
    stride: Choices
    components: Choices = field(default_factory=list)
    assets: Choices = field(default_factory=list)
    damage_scenarios: Choices = field(default_factory=list)
    impact: list[tuple[str, str, Choices]] = field(default_factory=list)  # category, its label, the levels


def _refs(tara_obj: Tara, kind: Kind) -> Choices:
    rows = Element.objects.filter(tara=tara_obj, kind=kind).order_by("position").values_list("ref", "label")
    return [(ref, f"{ref} {label}" if label and label != ref else ref) for ref, label in rows[:MAX_PICKS]]


def create_choices(
    tara_obj: Tara, kind: Kind, categories: tuple[str, ...], impact: Choices
) -> CreateChoices | None:
    """The choices of the kind's structured create form (`categories` and `impact` levels: the TARA's
    method profile's); None for a kind created as YAML only."""
    if kind not in STRUCTURED:
        return None
    book = vocabulary()
    properties = [(e.id, e.label) for e in book.properties]
    stride = [(e.id, f"{e.id} {e.label}") for e in book.stride]
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
