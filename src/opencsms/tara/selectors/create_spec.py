"""The structured create forms of the kinds without a form of their own (components, interfaces, data
flows, goals, claims, controls, requirements, Annex 5 not applicable): one field spec per kind, from which
the page draws its inputs and `SpecForm` reads the post.

A field is text, long text, a yes/no, a choice from a word list (with its label), or a picker of other
elements; which list a picker offers is read from the engine's reference table
(`engine.tara.references.REFERENCES`), never listed here."""

from __future__ import annotations

from dataclasses import dataclass, field

from opencsms.engine.catalogue import annex5, vocabulary
from opencsms.engine.tara.references import REFERENCES
from opencsms.tara.models import Element, Kind, Tara

Choices = list[tuple[str, str]]
MAX_PICKS = 2000  # elements a picker lists; a larger TARA uses the YAML form for the rest


@dataclass(frozen=True)
class Spec:
    """One input: `widget` is text, area, yes (a checkbox), words (a word list: `source`), one or many (a
    picker of elements; the list from the reference table)."""

    name: str
    widget: str = "text"
    required: bool = False
    source: str = ""
    label: str = ""

    @property
    def multiple(self) -> bool:
        return self.widget == "many"

    @property
    def picks(self) -> bool:
        return self.widget in ("one", "many", "words")


NAME, DESCRIPTION = Spec("name", required=True), Spec("description", "area")
SPECS: dict[str, tuple[Spec, ...]] = {
    Kind.COMPONENT: (
        NAME,
        Spec("kind", "words", True, "component_kinds"),
        DESCRIPTION,
        Spec("controls", "many"),
    ),
    Kind.INTERFACE: (
        NAME,
        Spec("kind", "words", True, "interface_kinds"),
        Spec("components", "many", True),
        Spec("external", "yes", label="External (an entry point from outside the item)"),
        DESCRIPTION,
        Spec("controls", "many"),
    ),
    Kind.DATA_FLOW: (
        Spec("source", "one", True),
        Spec("target", "one", True),
        Spec("interface", "one", True),
        Spec("data", label="Data it carries"),
    ),
    Kind.GOAL: (NAME, DESCRIPTION),
    Kind.CLAIM: (Spec("text", "area", True),),
    Kind.CONTROL: (NAME, DESCRIPTION, Spec("mitigations", "words", source="annex5_mitigations")),
    Kind.REQUIREMENT: (
        Spec("text", "area", True),
        Spec("goals", "many"),
        Spec("controls", "many"),
        Spec("components", "many"),
    ),
    Kind.NOT_APPLICABLE: (Spec("rationale", "area", True, label="Why it does not apply"),),
}
# The id of an Annex 5 entry is chosen from the catalogue, not made up.
ID_SOURCE: dict[str, str] = {Kind.NOT_APPLICABLE: "annex5_entries"}
MULTIPLE_WORDS = frozenset({"mitigations"})  # word lists picked several at once


def target(kind: str, name: str) -> str:
    """The list the kind's field refers to, from the engine's reference table."""
    return next(to for field_name, to, _ in REFERENCES[kind] if field_name == name)


def _words(source: str) -> Choices:
    if source == "annex5_mitigations":
        return [(m.id, f"{m.id} {m.summary}") for m in annex5().mitigations]
    if source == "annex5_entries":
        book = annex5()
        return [(t.id, f"{t.id} {t.summary}") for t in book.threats] + _words("annex5_mitigations")
    return [(entry.id, entry.label) for entry in getattr(vocabulary(), source)]


def elements(tara_obj: Tara, kind: str) -> Choices:
    rows = Element.objects.filter(tara=tara_obj, kind=kind).order_by("position").values_list("ref", "label")
    return [(ref, f"{ref} {label}" if label and label != ref else ref) for ref, label in rows[:MAX_PICKS]]


@dataclass(frozen=True)
class Input:
    """A spec with what it offers on this TARA's page."""

    spec: Spec
    choices: Choices = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.spec.label or self.spec.name.replace("_", " ").capitalize()

    @property
    def multiple(self) -> bool:
        return self.spec.multiple or self.spec.name in MULTIPLE_WORDS


def inputs(tara_obj: Tara, kind: str) -> list[Input]:
    """The kind's inputs with their choices (pickers: the elements of the referred-to list)."""
    found = []
    for spec in SPECS[kind]:
        if spec.widget == "words":
            found.append(Input(spec, _words(spec.source)))
        elif spec.widget in ("one", "many"):
            found.append(Input(spec, elements(tara_obj, target(kind, spec.name))))
        else:
            found.append(Input(spec))
    return found


def id_choices(kind: str) -> Choices:
    """The ids the kind must pick from (an Annex 5 entry), or none (a new id is typed)."""
    source = ID_SOURCE.get(kind)
    return _words(source) if source else []
