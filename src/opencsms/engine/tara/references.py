"""Which element of a TARA refers to which: the one definition of the references between its lists.

ISO/SAE 21434:2021 clause 15 and 9.4-9.5 link the work products by id (a threat scenario names its asset
and damage scenarios, a treatment its goals and claims, a requirement its goals and controls). `REFERENCES`
says, for each list, which field refers to which list; everything else (an element's "refers to" and
"used by", the refusal to delete a referred-to element, the traceability matrix) is derived from it. The
TARA-as-code builder checks the same fields (`engine.tara_as_code.build`); a test holds the two equal.
References to the item's functions (a component's `functions`) are left out: they are not a list of
elements. A reference to an id the model does not hold (an obsolete generated threat scenario's vanished
asset) is left out too.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from opencsms.engine.tara import model as m

Targets = Callable[[Any], Iterable[str]]


def _one(value: str | None) -> tuple[str, ...]:
    return (value,) if value else ()


def _steps(node: m.Node) -> Iterator[m.Step]:
    if isinstance(node, m.Step):
        yield node
    else:
        for child in node.children:
            yield from _steps(child)


def _step_values(threat: m.ThreatScenario, value: Callable[[m.Step], Iterable[str]]) -> tuple[str, ...]:
    return tuple(ref for path in threat.attack_paths for step in _steps(path.tree) for ref in value(step))


def _treatment(threat: m.ThreatScenario, field: str) -> tuple[str, ...]:
    return tuple(getattr(threat.treatment, field)) if threat.treatment else ()


# list -> (field as the file names it, the list it refers to, the ids it names), in the file's order
REFERENCES: dict[str, tuple[tuple[str, str, Targets], ...]] = {
    "components": (("controls", "controls", lambda c: c.controls),),
    "interfaces": (
        ("components", "components", lambda x: x.components),
        ("controls", "controls", lambda x: x.controls),
    ),
    "data_flows": (
        ("source", "components", lambda f: (f.source,)),
        ("target", "components", lambda f: (f.target,)),
        ("interface", "interfaces", lambda f: (f.interface,)),
    ),
    "assets": (
        ("component", "components", lambda a: _one(a.component)),
        ("damage", "damage_scenarios", lambda a: tuple(d for ids in a.damage.values() for d in ids)),
    ),
    "threat_scenarios": (
        ("asset", "assets", lambda t: (t.asset,)),
        ("damage_scenarios", "damage_scenarios", lambda t: t.damage_scenarios),
        ("attack_paths.interface", "interfaces", lambda t: _step_values(t, lambda s: _one(s.interface))),
        ("attack_paths.residual.controls", "controls", lambda t: _step_values(t, lambda s: s.controls)),
        ("treatment.goals", "goals", lambda t: _treatment(t, "goals")),
        ("treatment.claims", "claims", lambda t: _treatment(t, "claims")),
        ("merged_into", "threat_scenarios", lambda t: _one(t.merged_into)),
        ("generated.asset", "assets", lambda t: _one(t.generated.asset if t.generated else None)),
        ("generated.interface", "interfaces", lambda t: _one(t.generated.interface if t.generated else None)),
    ),
    "requirements": (
        ("goals", "goals", lambda r: r.goals),
        ("controls", "controls", lambda r: r.controls),
        ("components", "components", lambda r: r.components),
    ),
}


@dataclass(frozen=True)
class Link:
    """One reference: element `ref` of list `kind` names `target` of list `target_kind` in `field`."""

    kind: str
    ref: str
    field: str
    target_kind: str
    target: str


@dataclass(frozen=True)
class Referrer:
    """An element that refers to another, once, with every field in which it does."""

    kind: str
    ref: str
    fields: tuple[str, ...]


class ReferenceIndex:
    """Every reference of a model, indexed both ways (built once: linear in the model's size)."""

    def __init__(self, model: m.TaraModel) -> None:
        self.ids = {kind: {e.id for e in getattr(model, kind)} for kind in m.ELEMENT_LISTS}
        self.names = {(kind, e.id): _label(e) for kind in m.ELEMENT_LISTS for e in getattr(model, kind)}
        self.links = tuple(dict.fromkeys(self._links(model)))
        self._from: dict[tuple[str, str], list[Link]] = {}
        self._to: dict[tuple[str, str], list[Link]] = {}
        for link in self.links:
            self._from.setdefault((link.kind, link.ref), []).append(link)
            self._to.setdefault((link.target_kind, link.target), []).append(link)

    def _links(self, model: m.TaraModel) -> Iterator[Link]:
        for kind, fields in REFERENCES.items():
            for element in getattr(model, kind):
                for field, target_kind, targets in fields:
                    for target in targets(element):
                        if target in self.ids[target_kind]:
                            yield Link(kind, element.id, field, target_kind, target)

    def refers_to(self, kind: str, ref: str) -> tuple[Link, ...]:
        """The references the element makes, in the order of its fields."""
        return tuple(self._from.get((kind, ref), ()))

    def used_by(self, kind: str, ref: str) -> tuple[Link, ...]:
        """The references made to the element, in the file's order of the referring elements."""
        return tuple(self._to.get((kind, ref), ()))

    def referrers(self, kind: str, ref: str) -> tuple[Referrer, ...]:
        """Each element referring to the element once (with the fields it refers in), itself left out."""
        found: dict[tuple[str, str], list[str]] = {}
        for link in self.used_by(kind, ref):
            if (link.kind, link.ref) != (kind, ref):
                found.setdefault((link.kind, link.ref), []).append(link.field)
        return tuple(Referrer(k, r, tuple(dict.fromkeys(fields))) for (k, r), fields in found.items())

    def name(self, kind: str, ref: str) -> str:
        return self.names.get((kind, ref), "")


def _label(element: Any) -> str:
    return str(getattr(element, "name", None) or getattr(element, "text", "") or "")


_KEPT = 4  # indexes of the models used last, kept while their model is the same object
_kept: OrderedDict[int, tuple[m.TaraModel, ReferenceIndex]] = OrderedDict()
_lock = threading.Lock()


def references(model: m.TaraModel) -> ReferenceIndex:
    """The references between the elements of `model` (see `REFERENCES`). A server keeps a TARA's model
    while its content is unchanged, so the index of the same model object is built once (about 0.8 s
    for 20,000 threat scenarios) and reused by every page that shows an element's references."""
    with _lock:
        found = _kept.get(id(model))
        if found is not None and found[0] is model:
            _kept.move_to_end(id(model))
            return found[1]
    index = ReferenceIndex(model)
    with _lock:
        _kept[id(model)] = (model, index)
        while len(_kept) > _KEPT:
            _kept.popitem(last=False)
    return index
