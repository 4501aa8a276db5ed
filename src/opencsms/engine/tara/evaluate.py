"""Whole-model evaluation: TaraModel -> TaraResult (ISO/SAE 21434:2021 15.5-15.9, 9.4 CAL)."""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from opencsms.engine.catalogue import vocabulary
from opencsms.engine.method.profile import MethodProfile
from opencsms.engine.tara.feasibility import VECTOR_ORDER, PathRating, TreeRater, iter_steps
from opencsms.engine.tara.model import CalMethod, TaraModel, ThreatScenario, Treatment
from opencsms.engine.tara.result import Finding, GoalResult, PathResult, RiskCell, TaraResult, ThreatResult
from opencsms.engine.tara.rules import ThreatContext, model_findings, threat_findings


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
        return _evaluate(model, profile, None)


def reevaluate(previous: TaraResult, model: TaraModel, profile: MethodProfile) -> TaraResult:
    """`evaluate(model, profile)`, computed from `previous`, the evaluation of an earlier version of
    the model: only the threat scenarios whose inputs changed (the threat scenario, its damage
    scenarios' impacts, the vectors of its interfaces) are rated again, and only their rules and those
    of threat scenarios whose asset changed are checked again; goals, CAL per goal and the rules on the
    whole model are computed again (one pass each). Another profile or method rates everything again."""
    reusable = (
        profile is previous.profile
        and model.method == previous.model.method
        and len(previous.threat_findings) == len(previous.model.threat_scenarios)  # ids were unique
    )
    with _gc_paused():
        return _evaluate(model, profile, previous if reusable else None)


def _same(old: object, new: object) -> bool:
    return old is new or old == new


def _differing(old: Mapping[str, object], new: Mapping[str, object]) -> set[str]:
    return {key for key in old.keys() | new.keys() if not _same(old.get(key), new.get(key))}


class _Unchanged:
    """What of a previous evaluation still holds for `model` (same profile and method): the threat
    scenarios to rate again (`rerate`) and those whose rules to check again (`recheck`)."""

    def __init__(
        self, previous: TaraResult, model: TaraModel, impacts: Mapping[str, Mapping[str, str]]
    ) -> None:
        self.previous = previous
        old = {t.id: t for t in previous.model.threat_scenarios}
        changed = {t.id for t in model.threat_scenarios if not _same(old.get(t.id), t)}
        damage = _differing(previous.impacts, impacts)
        interfaces = _differing(interface_vectors(previous.model), interface_vectors(model))
        assets = _differing(*({a.id: a for a in m.assets} for m in (previous.model, model)))
        self.rerate = changed | {
            t.id
            for t in model.threat_scenarios
            if (damage and not damage.isdisjoint(t.damage_scenarios)) or (interfaces and _uses(t, interfaces))
        }
        self.recheck = self.rerate | {t.id for t in model.threat_scenarios if assets and t.asset in assets}

    def findings(self, threat: ThreatScenario) -> tuple[Finding, ...] | None:
        """The previous findings of `threat` if it, its result and its asset are the same."""
        return None if threat.id in self.recheck else self.previous.threat_findings.get(threat.id)


def _uses(threat: ThreatScenario, interfaces: set[str]) -> bool:
    steps = (step for path in threat.attack_paths for step in iter_steps(path.tree))
    return any(step.interface in interfaces for step in steps)


def _evaluate(model: TaraModel, profile: MethodProfile, previous: TaraResult | None) -> TaraResult:
    impacts = damage_impacts(model, profile)
    rater = TreeRater(profile, interface_vectors(model))
    unchanged = _Unchanged(previous, model, impacts) if previous else None
    threats: dict[str, ThreatResult] = {}
    kept = unchanged.previous.threats if unchanged else {}
    rerate = unchanged.rerate if unchanged else set()
    for t in model.threat_scenarios:
        if t.in_analysis:
            old = kept.get(t.id) if t.id not in rerate else None
            threats[t.id] = old if old is not None else evaluate_threat(t, model, profile, rater, impacts)
    goals = _goals(model, threats)
    context = ThreatContext.of(model)
    per_threat = []
    for t in model.threat_scenarios:
        result = threats.get(t.id)
        kept_findings = unchanged.findings(t) if unchanged else None
        per_threat.append(kept_findings if kept_findings is not None else threat_findings(t, result, context))
    findings = (*(f for found in per_threat for f in found), *model_findings(model, goals))
    by_threat = {t.id: found for t, found in zip(model.threat_scenarios, per_threat, strict=True)}
    return TaraResult(model, profile, impacts, threats, goals, findings, by_threat)
