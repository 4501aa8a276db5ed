"""The method's rules checked on an evaluated model (ISO/SAE 21434:2021 9.4, 9.5, 15.3-15.9).

Each rule has a stable id, a severity and the provision it comes from; `RULES` is the catalogue that
docs/method.md lists and `opencsms tara check` reports by id.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from opencsms.engine.catalogue import vocabulary
from opencsms.engine.tara.coverage import annex5_coverage
from opencsms.engine.tara.feasibility import iter_steps
from opencsms.engine.tara.model import (
    Asset,
    CalMethod,
    ReviewStatus,
    TaraModel,
    ThreatScenario,
    Treatment,
)
from opencsms.engine.tara.result import Finding, GoalResult, Severity, ThreatResult


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    cites: str
    summary: str


_E, _W = Severity.ERROR, Severity.WARNING
RULES = {
    rule.id: rule
    for rule in (
        Rule(
            "treatment/reduce-needs-goal",
            _E,
            "ISO/SAE 21434 RQ-09-05",
            "a threat scenario whose risk is reduced names at least one cybersecurity goal",
        ),
        Rule(
            "treatment/share-needs-claim",
            _E,
            "ISO/SAE 21434 RQ-09-06",
            "a shared risk names at least one cybersecurity claim",
        ),
        Rule(
            "treatment/retain-needs-claim",
            _E,
            "ISO/SAE 21434 RQ-09-06",
            "a retained risk names at least one cybersecurity claim",
        ),
        Rule(
            "treatment/retain-needs-rationale",
            _E,
            "ISO/SAE 21434 RQ-15-17",
            "retaining a risk above the acceptance level needs a rationale",
        ),
        Rule(
            "treatment/avoid-needs-rationale",
            _E,
            "ISO/SAE 21434 RQ-15-17",
            "avoiding a risk says how the risk source is removed",
        ),
        Rule(
            "treatment/goal-without-reduce",
            _E,
            "ISO/SAE 21434 RQ-09-05",
            "goals belong to a decision that reduces the risk",
        ),
        Rule(
            "treatment/missing",
            _W,
            "ISO/SAE 21434 RQ-15-17",
            "every threat scenario has a risk treatment decision",
        ),
        Rule(
            "treatment/residual-above-acceptance",
            _W,
            "ISO/SAE 21434 15.9, RQ-09-05",
            "after its controls a reduced risk is at or below the acceptance level, or the rest is retained",
        ),
        Rule(
            "threat/proposed",
            _W,
            "ISO/SAE 21434 RQ-15-03",
            "a generated threat scenario is reviewed: accepted, re-rated, rejected or merged",
        ),
        Rule(
            "threat/obsolete",
            _W,
            "ISO/SAE 21434 RQ-15-03, 9.3",
            "a generated threat scenario still matches the architecture it was generated from",
        ),
        Rule(
            "threat/rejected-needs-rationale",
            _E,
            "ISO/SAE 21434 RQ-15-03",
            "a rejected threat scenario says why it does not apply",
        ),
        Rule(
            "threat/merged-needs-target",
            _E,
            "ISO/SAE 21434 RQ-15-03",
            "a merged threat scenario names the one it was merged into",
        ),
        Rule(
            "threat/no-damage-scenario",
            _E,
            "ISO/SAE 21434 RQ-15-03",
            "an accepted threat scenario leads to at least one damage scenario",
        ),
        Rule(
            "annex5/covered-and-not-applicable",
            _W,
            "UN R155 7.3.3",
            "an Annex 5 threat is either covered by a threat scenario or not applicable, not both",
        ),
        Rule(
            "threat/cal-undetermined",
            _W,
            "ISO/SAE 21434 RQ-09-05 NOTE 4, Annex E",
            "a reduced threat scenario has an attack vector, so that its CAL can be determined",
        ),
        Rule(
            "step/residual-without-control",
            _W,
            "ISO/SAE 21434 15.9, RQ-09-08",
            "a residual rating names the controls that justify it",
        ),
        Rule(
            "threat/unrated",
            _W,
            "ISO/SAE 21434 RQ-15-08, RQ-15-10",
            "every threat scenario has at least one rated attack path",
        ),
        Rule(
            "threat/property-not-of-asset",
            _E,
            "ISO/SAE 21434 RQ-15-03",
            "a threat scenario compromises a property its asset has",
        ),
        Rule(
            "threat/stride-property-mismatch",
            _W,
            "ISO/SAE 21434 RQ-15-03 NOTE 2 (STRIDE)",
            "the STRIDE class matches the compromised property",
        ),
        Rule("asset/no-threat", _W, "ISO/SAE 21434 RQ-15-03", "every asset has at least one threat scenario"),
        Rule(
            "damage/no-threat",
            _W,
            "ISO/SAE 21434 RQ-15-01, RQ-15-03",
            "every damage scenario is caused by at least one threat scenario",
        ),
        Rule("goal/unused", _W, "ISO/SAE 21434 RQ-09-05", "every goal answers a reduced risk"),
        Rule(
            "goal/no-requirement",
            _W,
            "ISO/SAE 21434 RQ-09-08",
            "every goal is refined into at least one cybersecurity requirement",
        ),
        Rule(
            "goal/cal-below-determined",
            _W,
            "ISO/SAE 21434 RQ-09-05 NOTE 4, Annex E",
            "a declared CAL is not lower than the one its threat scenarios determine",
        ),
        Rule("claim/unused", _W, "ISO/SAE 21434 RQ-09-06", "every claim supports a shared or retained risk"),
        Rule(
            "requirement/unallocated",
            _W,
            "ISO/SAE 21434 RQ-09-10",
            "every cybersecurity requirement is allocated to at least one component",
        ),
    )
}


def _finding(rule_id: str, element: str, message: str) -> Finding:
    rule = RULES[rule_id]
    return Finding(rule.id, rule.severity, element, message, rule.cites)


def _treatment(threat: ThreatScenario, result: ThreatResult, acceptance: int) -> Iterator[Finding]:
    decision = threat.treatment
    if decision is None:
        rated = "unrated" if result.risk is None else f"risk {result.risk}"
        yield _finding("treatment/missing", threat.id, f"no treatment decision ({rated})")
        return
    options = set(decision.options)
    if Treatment.REDUCE in options and not decision.goals:
        yield _finding("treatment/reduce-needs-goal", threat.id, "reduce without a cybersecurity goal")
    if decision.goals and Treatment.REDUCE not in options:
        yield _finding("treatment/goal-without-reduce", threat.id, "goals named but the risk is not reduced")
    for option in (Treatment.SHARE, Treatment.RETAIN):
        if option in options and not decision.claims:
            yield _finding(
                f"treatment/{option}-needs-claim", threat.id, f"{option} without a cybersecurity claim"
            )
    if Treatment.AVOID in options and not decision.rationale:
        yield _finding("treatment/avoid-needs-rationale", threat.id, "avoid without a rationale")
    risk = result.risk or 0
    if Treatment.RETAIN in options and risk > acceptance and not decision.rationale:
        yield _finding(
            "treatment/retain-needs-rationale",
            threat.id,
            f"risk {risk} is above the acceptance level {acceptance} and is retained without a rationale",
        )
    residual = result.residual_risk or 0
    retained = Treatment.RETAIN in options and bool(decision.rationale)
    if Treatment.REDUCE in options and residual > acceptance and not retained:
        yield _finding(
            "treatment/residual-above-acceptance",
            threat.id,
            f"residual risk {residual} is above the acceptance level {acceptance}",
        )


def _review(threat: ThreatScenario) -> Iterator[Finding]:
    """Generated threat scenarios and review decisions (accepted, rejected, merged)."""
    obsolete = threat.generated is not None and threat.generated.obsolete
    if threat.status is ReviewStatus.REJECTED and not threat.rationale:
        yield _finding("threat/rejected-needs-rationale", threat.id, "rejected without a rationale")
    if threat.status is ReviewStatus.MERGED and not threat.merged_into:
        yield _finding(
            "threat/merged-needs-target", threat.id, "merged, but `merged_into` names no threat scenario"
        )
    if obsolete and threat.status in (ReviewStatus.ACCEPTED, ReviewStatus.PROPOSED):
        rule = threat.generated.rule if threat.generated else ""
        yield _finding(
            "threat/obsolete",
            threat.id,
            f"the architecture no longer matches rule {rule}; delete it or reject it with a rationale",
        )
    elif threat.status is ReviewStatus.PROPOSED:
        missing = "" if threat.damage_scenarios else "; it names no damage scenario yet"
        yield _finding(
            "threat/proposed",
            threat.id,
            f"generated, awaiting review: accept, re-rate, reject or merge it{missing}",
        )


@dataclass(frozen=True)
class ThreatContext:
    """What the rules of one threat scenario read besides the threat scenario and its result."""

    assets: Mapping[str, Asset]
    stride: Mapping[str, str]  # STRIDE class -> the property it violates
    acceptance: int
    cal: CalMethod

    @classmethod
    def of(cls, model: TaraModel) -> ThreatContext:
        stride = {entry.id: entry.property for entry in vocabulary().stride}
        assets = {asset.id: asset for asset in model.assets}
        return cls(assets, stride, model.method.acceptance, model.method.cal)


def threat_findings(
    threat: ThreatScenario, result: ThreatResult | None, context: ThreatContext
) -> tuple[Finding, ...]:
    """The findings of one threat scenario; `result` is its evaluation (None: not in the analysis)."""
    return tuple(_threat(threat, result, context))


def _threat(threat: ThreatScenario, result: ThreatResult | None, context: ThreatContext) -> Iterator[Finding]:
    yield from _review(threat)
    if not threat.in_analysis:
        return
    assert result is not None, f"{threat.id} is in the analysis: it has a result"
    if not threat.damage_scenarios and threat.status is ReviewStatus.ACCEPTED:
        yield _finding(
            "threat/no-damage-scenario", threat.id, "an accepted threat scenario leads to no damage"
        )
    if result.feasibility is None:
        yield _finding("threat/unrated", threat.id, "no attack path, so no feasibility and no risk")
    if threat.property not in context.assets[threat.asset].properties:
        yield _finding(
            "threat/property-not-of-asset",
            threat.id,
            f"asset {threat.asset} has no property {threat.property}",
        )
    stride = context.stride
    if threat.stride and stride[threat.stride] != threat.property:
        yield _finding(
            "threat/stride-property-mismatch",
            threat.id,
            f"STRIDE {threat.stride} violates {stride[threat.stride]}, not {threat.property}",
        )
    yield from _treatment(threat, result, context.acceptance)
    yield from _steps(threat, result, context.cal)


def _steps(threat: ThreatScenario, result: ThreatResult, cal: CalMethod) -> Iterator[Finding]:
    reduced = threat.treatment is not None and Treatment.REDUCE in threat.treatment.options
    annex_e = cal is CalMethod.ANNEX_E
    if reduced and annex_e and result.feasibility is not None and result.vector is None:
        yield _finding(
            "threat/cal-undetermined",
            threat.id,
            "no attack path has a vector for every step (vector, cvss or interface), so no CAL",
        )
    for path in threat.attack_paths:
        for step in iter_steps(path.tree):
            if step.residual is not None and not step.controls:
                yield _finding(
                    "step/residual-without-control",
                    threat.id,
                    f"step {step.id} has a residual rating but names no control",
                )


def _coverage(model: TaraModel, goals: Mapping[str, GoalResult]) -> Iterator[Finding]:
    analysed = [t for t in model.threat_scenarios if t.in_analysis]
    threatened = {t.asset for t in analysed}
    caused = {ds for t in analysed for ds in t.damage_scenarios}
    for asset in model.assets:
        if asset.id not in threatened:
            yield _finding("asset/no-threat", asset.id, "no threat scenario targets this asset")
    for ds in model.damage_scenarios:
        if ds.id not in caused:
            yield _finding("damage/no-threat", ds.id, "no threat scenario leads to this damage scenario")
    yield from _concept(model, goals)


def _concept(model: TaraModel, goals: Mapping[str, GoalResult]) -> Iterator[Finding]:
    claimed = {c for t in model.threat_scenarios if t.in_analysis and t.treatment for c in t.treatment.claims}
    for goal in model.goals:
        result = goals[goal.id]
        if not result.threats:
            yield _finding("goal/unused", goal.id, "no reduced threat scenario names this goal")
        if not result.requirements:
            yield _finding("goal/no-requirement", goal.id, "no cybersecurity requirement refines this goal")
        if goal.cal is not None and result.determined_cal is not None and goal.cal < result.determined_cal:
            yield _finding(
                "goal/cal-below-determined",
                goal.id,
                f"declared CAL{goal.cal}, its threat scenarios determine CAL{result.determined_cal}",
            )
    for claim in model.claims:
        if claim.id not in claimed:
            yield _finding("claim/unused", claim.id, "no shared or retained risk names this claim")
    for requirement in model.requirements:
        if not requirement.components:
            yield _finding("requirement/unallocated", requirement.id, "not allocated to any component")


def _annex5(model: TaraModel) -> Iterator[Finding]:
    for entry in annex5_coverage(model).threats:
        if entry.status == "covered" and entry.rationale:
            yield _finding(
                "annex5/covered-and-not-applicable",
                f"Annex 5 {entry.id}",
                f"declared not applicable, yet {', '.join(entry.threats)} cover it",
            )


def model_findings(model: TaraModel, goals: Mapping[str, GoalResult]) -> tuple[Finding, ...]:
    """The findings on the model as a whole: coverage of assets and damage, the concept, Annex 5."""
    return (*_coverage(model, goals), *_annex5(model))
