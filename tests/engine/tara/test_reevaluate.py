"""`reevaluate` equals `evaluate` after any sequence of changes to a model (hypothesis).

The changes are made on the reference model's values directly (no parsing), one element at a time as
the server makes them, and they reach every input a threat scenario's result or findings depend on:
damage scenario impacts, interface kinds (attack vectors), asset properties, the threat scenario itself
(status, property, asset, damage, treatment, attack paths, provenance), goals, requirements, the method.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from opencsms.engine.catalogue import vocabulary
from opencsms.engine.tara import model as m
from opencsms.engine.tara.evaluate import evaluate, reevaluate
from opencsms.engine.tara.feasibility import iter_steps
from opencsms.engine.tara_as_code import load_file
from tests.paths import REFERENCE

MODEL, PROFILE = load_file(REFERENCE)
PROPERTIES = ("confidentiality", "integrity", "availability", "authenticity", "authorization")
INTERFACE_KINDS = tuple(kind.id for kind in vocabulary().interface_kinds)
KEYS = ["threat_scenarios"] * 3 + ["damage_scenarios", "interfaces", "assets"] * 2
KEYS += ["goals", "requirements", "method"]
PATHS = tuple(p for t in MODEL.threat_scenarios for p in t.attack_paths)


def _ids(elements: tuple[Any, ...]) -> list[str]:
    return [e.id for e in elements]


def _subset(data: st.DataObject, items: list[str] | tuple[str, ...], least: int = 0) -> tuple[str, ...]:
    return tuple(data.draw(st.lists(st.sampled_from(items), min_size=least, max_size=3, unique=True)))


def _treatment(data: st.DataObject, model: m.TaraModel) -> m.TreatmentDecision | None:
    if data.draw(st.booleans()):
        return None
    options = _subset(data, list(m.Treatment), least=1)
    goals, claims = _subset(data, _ids(model.goals)), _subset(data, _ids(model.claims))
    rationale = data.draw(st.sampled_from(["", "the risk is small"]))
    return m.TreatmentDecision(tuple(m.Treatment(o) for o in options), goals, claims, rationale)


def _threat(data: st.DataObject, model: m.TaraModel, threat: m.ThreatScenario) -> m.ThreatScenario:
    changes: dict[str, Any] = data.draw(
        st.sampled_from(
            [
                {"status": data.draw(st.sampled_from(list(m.ReviewStatus)))},
                {"property": data.draw(st.sampled_from(PROPERTIES))},
                {"asset": data.draw(st.sampled_from(_ids(model.assets)))},
                {"damage_scenarios": _subset(data, _ids(model.damage_scenarios))},
                {"treatment": _treatment(data, model)},
                {"attack_paths": tuple(data.draw(st.lists(st.sampled_from(PATHS), max_size=2)))},
                {"generated": m.Provenance("R-1", threat.asset, None, (), data.draw(st.booleans()))},
            ]
        )
    )
    return replace(threat, **changes)


def _element(data: st.DataObject, model: m.TaraModel, key: str, element: Any) -> Any:
    if key == "threat_scenarios":
        return _threat(data, model, element)
    if key == "damage_scenarios":
        category = data.draw(st.sampled_from(sorted(element.impact)))
        level = data.draw(st.sampled_from(PROFILE.impact.ids))
        return replace(element, impact={**element.impact, category: level})
    if key == "interfaces":
        return replace(element, kind=data.draw(st.sampled_from(INTERFACE_KINDS)))
    if key == "assets":
        return replace(element, properties=_subset(data, PROPERTIES, least=1))
    if key == "goals":
        return replace(element, cal=data.draw(st.sampled_from([None, 1, 2, 3, 4])))
    return replace(element, goals=_subset(data, _ids(model.goals)))  # requirements


def _touching(model: m.TaraModel, key: str, element: Any) -> set[str]:
    """The threat scenarios whose rating a change of `element` (of list `key`) can alter: itself, those
    naming the damage scenario, those with a step on the interface; none for the other lists."""
    if key == "threat_scenarios":
        return {element.id}
    if key == "damage_scenarios":
        return {t.id for t in model.threat_scenarios if element.id in t.damage_scenarios}
    if key == "interfaces":
        return {
            t.id
            for t in model.threat_scenarios
            if any(s.interface == element.id for p in t.attack_paths for s in iter_steps(p.tree))
        }
    return set()


def _changed(data: st.DataObject, model: m.TaraModel) -> tuple[m.TaraModel, set[str] | None]:
    """One element of the model changed (or, rarely, the method), and the threat scenarios the change can
    rate otherwise (None: any, the method changed)."""
    key = data.draw(st.sampled_from(KEYS))
    if key == "method":
        acceptance = data.draw(st.integers(1, 5))
        cal = data.draw(st.sampled_from(list(m.CalMethod)))
        return replace(model, method=replace(model.method, acceptance=acceptance, cal=cal)), None
    elements = getattr(model, key)
    index = data.draw(st.integers(0, len(elements) - 1))
    new = _element(data, model, key, elements[index])
    changes: dict[str, Any] = {key: (*elements[:index], new, *elements[index + 1 :])}
    return replace(model, **changes), _touching(model, key, elements[index])


@given(st.data())
@settings(max_examples=150, deadline=None)
def test_reevaluation_equals_evaluation_after_every_change(data: st.DataObject) -> None:
    model, result = MODEL, evaluate(MODEL, PROFILE)
    for _ in range(data.draw(st.integers(1, 6))):
        previous = result
        model, touched = _changed(data, model)
        result = reevaluate(previous, model, PROFILE)
        assert result == evaluate(model, PROFILE)
        untouched = set() if touched is None else previous.threats.keys() - touched
        for threat_id in untouched & result.threats.keys():
            assert result.threats[threat_id] is previous.threats[threat_id]  # reused, not rated again
