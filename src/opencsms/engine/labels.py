"""The words people read for the engine's values, from one place: pages, forms and filters show
`label(value, table)` instead of the stored id (`very_low` -> "Very low", `one_month` -> "<= 1 month").

The table joins the model's enums (review status, treatment 15.9, rating approaches Annex G, CAL methods,
UN R155 Annex 5 coverage states), the vocabulary catalogue (properties, STRIDE, component and interface
kinds, attack vectors) and a method profile's levels (impact 15.5, feasibility 15.7, attack potential
factors G.2). A value the table does not know reads as its words (`annex_e` -> "Annex e").
"""

from __future__ import annotations

from functools import cache

from opencsms.engine.catalogue.load import vocabulary
from opencsms.engine.method import load_profile
from opencsms.engine.tara.model import CalMethod, FeasibilityMethod, ReviewStatus, Treatment

ENUMS: dict[str, str] = {
    ReviewStatus.PROPOSED: "Proposed",
    ReviewStatus.ACCEPTED: "Accepted",
    ReviewStatus.REJECTED: "Rejected",
    ReviewStatus.MERGED: "Merged",
    Treatment.AVOID: "Avoid",
    Treatment.REDUCE: "Reduce",
    Treatment.SHARE: "Share",
    Treatment.RETAIN: "Retain",
    FeasibilityMethod.ATTACK_POTENTIAL: "Attack potential",
    FeasibilityMethod.CVSS: "CVSS",
    FeasibilityMethod.ATTACK_VECTOR: "Attack vector",
    CalMethod.ANNEX_E: "Annex E",
    CalMethod.RISK_BASED: "Risk based",
}
# UN R155 Annex 5 coverage of a Part A threat (THREAT_STATES) and of a Part B/C mitigation.
COVERAGE: dict[str, str] = {
    "uncovered": "Not covered",
    "pending": "Pending review",
    "covered": "Covered",
    "not_applicable": "Not applicable",
    "implemented": "Implemented",
    "missing": "Missing",
}


def words(name: str) -> str:
    """An id for people when no label is known: `elapsed_time` -> "Elapsed time"."""
    return name.replace("_", " ").strip().capitalize()


@cache
def labels(profile: str = "iso21434") -> dict[str, str]:
    """Every known value of a TARA that uses the shipped method profile `profile` -> its label. The
    profile's own levels win over the shared words (its `moderate` is its label)."""
    found = dict(ENUMS) | COVERAGE
    book = vocabulary()
    for entries in (book.properties, book.stride, book.component_kinds, book.interface_kinds):
        found |= {entry.id: entry.label for entry in entries}
    found |= {entry.id: entry.label for entry in book.attack_vectors}
    method = load_profile(profile)
    table = method.source.feasibility.attack_potential
    for levels in (table.factors if table else {}).values():
        found |= {level.id: level.label for level in levels}
    found |= dict(method.feasibility.labels) | dict(method.impact.labels)
    return found


def label(value: object, table: dict[str, str] | None = None) -> str:
    """The label of a stored value (empty for none); a list reads as its labels joined by commas."""
    if value is None or value == "":
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(label(item, table) for item in value)
    text = str(value)
    return (labels() if table is None else table).get(text) or words(text)
