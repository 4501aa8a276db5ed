"""Whole-model evaluation: TaraModel -> TaraResult (ISO/SAE 21434:2021 15.5-15.9, 9.4 CAL)."""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from opencsms.engine.catalogue import vocabulary
from opencsms.engine.method.profile import MethodProfile
from opencsms.engine.tara.feasibility import VECTOR_ORDER, PathRating, TreeRater
from opencsms.engine.tara.model import CalMethod, TaraModel, ThreatScenario, Treatment
from opencsms.engine.tara.result import GoalResult, PathResult, RiskCell, TaraResult, ThreatResult
from opencsms.engine.tara.rules import check_rules


def damage_impacts(model: TaraModel, profile: MethodProfile) -> dict[str, dict[str, str]]:
    """15.5: the impact level per category of every damage scenario (HEAVENS: one overall level)."""
    if profile.source.impact.aggregation == "weighted_sum":
        return {ds.id: {"overall": profile.impact_from_weights(ds.impact)} for ds in model.damage_scenarios}
    return {ds.id: dict(ds.impact) for ds in model.damage_scenarios}


def interface_vectors(model: TaraModel) -> dict[str, str]:
    kinds = {kind.id: kind.vector for kind in vocabulary().interface_kinds}
    return {interface.id: kinds[interface.kind] for interface in model.interfaces}


def _risks(
    threat: ThreatScenario,
    feasibility: str | None,
    impacts: Mapping[str, Mapping[str, str]],
    profile: MethodProfile,
) -> tuple[RiskCell, ...]:
    if feasibility is None:
        return ()
    cells = profile.risk_cells
    return tuple(
        [
            RiskCell(ds_id, category, impact, *cells[impact, feasibility])
            for ds_id in threat.damage_scenarios
            for category, impact in impacts[ds_id].items()
        ]
    )


def _highest_risk(
    threat: ThreatScenario,
    feasibility: str | None,
    impacts: Mapping[str, Mapping[str, str]],
    profile: MethodProfile,
) -> int | None:
    if feasibility is None:
        return None
    cells = profile.risk_cells
    values = [
        cells[impact, feasibility][1] for ds in threat.damage_scenarios for impact in impacts[ds].values()
    ]
    return max(values, default=None)


def _highest(ratings: list[PathRating], profile: MethodProfile) -> PathRating | None:
    if not ratings:
        return None
    return max(ratings, key=lambda r: profile.feasibility.rank(r.feasibility))


def _cal(
    threat_impact: str | None, vector: str | None, risk: int | None, model: TaraModel, profile: MethodProfile
) -> int | None:
    if model.method.cal is CalMethod.RISK_BASED:
        return profile.cal_from_risk(risk) if risk is not None else None
    if threat_impact is None or vector is None:
        return None
    return profile.cal_annex_e(threat_impact, vector)


def evaluate_threat(
    threat: ThreatScenario,
    model: TaraModel,
    profile: MethodProfile,
    rater: TreeRater,
    impacts: Mapping[str, Mapping[str, str]],
) -> ThreatResult:
    paths, initial, residual = [], [], []
    for path in threat.attack_paths:
        method = path.method or model.method.feasibility
        before, after = rater.rate_both(path, method)
        initial.append(before)
        residual.append(after)
        paths.append(
            PathResult(
                path.id,
                method,
                before.feasibility,
                before.score,
                before.vector,
                after.feasibility,
                after.score,
            )
        )
    avoided = threat.treatment is not None and Treatment.AVOID in threat.treatment.options
    best = _highest(initial, profile)
    best_after = None if avoided else _highest(residual, profile)  # an avoided risk no longer exists
    feasibility = best.feasibility if best else None
    risks = _risks(threat, feasibility, impacts, profile)
    top = max(risks, key=lambda c: c.value, default=None)
    levels = [level for ds in threat.damage_scenarios for level in impacts[ds].values()]
    impact = profile.impact.highest(levels) if levels else None
    vectors = [r.vector for r in initial if r.vector is not None]
    vector = min(vectors, key=VECTOR_ORDER.index) if vectors else None
    return ThreatResult(
        id=threat.id,
        paths=tuple(paths),
        feasibility=feasibility,
        vector=vector,
        impact=impact,
        risks=risks,
        risk=top.value if top else None,
        risk_level=top.level if top else None,
        residual_feasibility=best_after.feasibility if best_after else None,
        residual_risk=_highest_risk(threat, best_after.feasibility if best_after else None, impacts, profile),
        cal=_cal(impact, vector, top.value if top else None, model, profile),
        avoided=avoided,
    )


def _goals(model: TaraModel, threats: Mapping[str, ThreatResult]) -> dict[str, GoalResult]:
    covered: dict[str, list[str]] = {goal.id: [] for goal in model.goals}
    for threat in model.threat_scenarios:
        if threat.in_analysis and threat.treatment and Treatment.REDUCE in threat.treatment.options:
            for goal_id in threat.treatment.goals:
                covered[goal_id].append(threat.id)
    results = {}
    for goal in model.goals:
        cals = [c for t in covered[goal.id] if (c := threats[t].cal) is not None]
        determined = max(cals) if cals else None
        requirements = tuple(r.id for r in model.requirements if goal.id in r.goals)
        results[goal.id] = GoalResult(
            goal.id,
            tuple(covered[goal.id]),
            requirements,
            determined,
            goal.cal if goal.cal is not None else determined,
        )
    return results


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Evaluation allocates many small acyclic values; the cyclic collector only slows it down."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def evaluate(model: TaraModel, profile: MethodProfile) -> TaraResult:
    """Rate every attack path, threat scenario and goal, then check the method's rules."""
    with _gc_paused():
        return _evaluate(model, profile)


def _evaluate(model: TaraModel, profile: MethodProfile) -> TaraResult:
    impacts = damage_impacts(model, profile)
    rater = TreeRater(profile, interface_vectors(model))
    threats = {
        t.id: evaluate_threat(t, model, profile, rater, impacts)
        for t in model.threat_scenarios
        if t.in_analysis
    }
    goals = _goals(model, threats)
    findings = check_rules(model, threats, goals)
    return TaraResult(model, profile, impacts, threats, goals, findings)
