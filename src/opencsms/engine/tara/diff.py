"""What changed between two evaluated TARAs: elements, ratings, risks and treatments.

The basis for baselines: elements are matched by id; a changed element lists each changed field as a
dotted path with its old and new value; every threat scenario whose feasibility, risk, residual risk
or CAL moved is listed with both values; and every risk value (15.8: one per threat scenario, damage
scenario and impact category, before and after treatment) that moved, appeared or went, so a change
below a threat scenario's highest risk is seen too.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from opencsms.engine.tara.model import ELEMENT_LISTS
from opencsms.engine.tara.result import TaraResult

_RATED = ("feasibility", "risk", "residual_feasibility", "residual_risk", "cal")


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class ElementChange:
    collection: str
    id: str
    change: str  # added | removed | changed
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True)
class RiskChange:
    threat: str
    field: str  # feasibility | risk | residual_feasibility | residual_risk | cal
    old: Any
    new: Any


@dataclass(frozen=True)
class RiskValueChange:
    """One risk value of 15.8 (RQ-15-16 NOTE 1) that moved: `field` is `risk` (before treatment) or
    `residual_risk` (after it); None is no value (the threat scenario or cell is new or gone, not rated,
    or its risk avoided)."""

    threat: str
    damage_scenario: str
    category: str
    field: str  # risk | residual_risk
    old: int | None
    new: int | None


@dataclass(frozen=True)
class TaraDiff:
    elements: tuple[ElementChange, ...] = ()
    risks: tuple[RiskChange, ...] = ()
    method: tuple[FieldChange, ...] = ()
    summary: dict[str, Any] = field(default_factory=dict)
    risk_values: tuple[RiskValueChange, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.elements or self.risks or self.method or self.risk_values)


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested dicts and lists -> {"a.b[0].c": leaf}; lists of elements with ids are keyed by id."""
    if isinstance(value, dict):
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(value, list | tuple) and value and all(isinstance(v, dict) and "id" in v for v in value):
        flat = {}
        for item in value:
            flat.update(_flatten(item, f"{prefix}[{item['id']}]"))
        return flat
    if isinstance(value, list | tuple):
        return {prefix: list(value)}
    return {prefix: value}


def _elements(old: TaraResult, new: TaraResult, collection: str) -> list[ElementChange]:
    before = {e.id: e for e in getattr(old.model, collection)}
    after = {e.id: e for e in getattr(new.model, collection)}
    changes = [ElementChange(collection, i, "removed") for i in before if i not in after]
    changes += [ElementChange(collection, i, "added") for i in after if i not in before]
    for element_id in (i for i in after if i in before):
        a, b = _flatten(asdict(before[element_id])), _flatten(asdict(after[element_id]))
        fields = tuple(
            FieldChange(k, a.get(k), b.get(k)) for k in sorted(a.keys() | b.keys()) if a.get(k) != b.get(k)
        )
        if fields:
            changes.append(ElementChange(collection, element_id, "changed", fields))
    return changes


def _risks(old: TaraResult, new: TaraResult) -> list[RiskChange]:
    changes = []
    for threat_id, after in new.threats.items():
        before = old.threats.get(threat_id)
        if before is None:
            continue
        for name in _RATED:
            if getattr(before, name) != getattr(after, name):
                changes.append(RiskChange(threat_id, name, getattr(before, name), getattr(after, name)))
    return changes


def _risk_values(old: TaraResult, new: TaraResult) -> list[RiskValueChange]:
    """Each risk value, before and after treatment, that differs; in the new version's order, then the
    values only the old one has."""
    before, after = old.risk_values(), new.risk_values()
    none: tuple[int | None, int | None] = (None, None)
    changes = []
    for key in [*after, *(k for k in before if k not in after)]:
        a, b = before.get(key, none), after.get(key, none)
        for index, name in enumerate(("risk", "residual_risk")):
            if a[index] != b[index]:
                changes.append(RiskValueChange(*key, name, a[index], b[index]))
    return changes


def diff(old: TaraResult, new: TaraResult) -> TaraDiff:
    """Compare two evaluated TARAs of the same item (old first)."""
    elements = [change for c in ELEMENT_LISTS for change in _elements(old, new, c)]
    a, b = _flatten(asdict(old.model.method)), _flatten(asdict(new.model.method))
    method = tuple(FieldChange(k, a[k], b[k]) for k in a if a[k] != b[k])
    item_a, item_b = _flatten(asdict(old.model.item)), _flatten(asdict(new.model.item))
    item = tuple(
        FieldChange(k, item_a.get(k), item_b.get(k))
        for k in sorted(item_a.keys() | item_b.keys())
        if item_a.get(k) != item_b.get(k)
    )
    if item:
        elements.insert(0, ElementChange("item", "item", "changed", item))
    summary = {
        "risk_before": {"old": old.risk_counts(), "new": new.risk_counts()},
        "risk_after_treatment": {
            "old": old.risk_counts(residual=True),
            "new": new.risk_counts(residual=True),
        },
    }
    values = tuple(_risk_values(old, new))
    return TaraDiff(tuple(elements), tuple(_risks(old, new)), method, summary, values)
