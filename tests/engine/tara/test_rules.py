"""The treatment and traceability rules of ISO/SAE 21434 9.4, 9.5 and 15.9, each shown to fire and to pass."""

from __future__ import annotations

import pytest

from opencsms.engine.method import load_profile
from opencsms.engine.tara.evaluate import evaluate
from opencsms.engine.tara.model import (
    CalMethod,
    Claim,
    Goal,
    Method,
    Rating,
    Requirement,
    TreatmentDecision,
)
from opencsms.engine.tara.model import Treatment as T
from opencsms.engine.tara.result import Severity
from opencsms.engine.tara.rules import RULES
from tests.factories.tara import EASY, make_model, make_path, make_step, make_threat, with_treatment

ISO = load_profile("iso21434")
GOAL = (Goal("CG-1", "goal"),)
CLAIM = (Claim("CC-1", "claim"),)
REQ = (Requirement("CR-1", "req", goals=("CG-1",), components=("ECU-1",)),)


def _rules(model: object) -> set[str]:
    return {f.rule for f in evaluate(model, ISO).findings}  # type: ignore[arg-type]


def _model(decision: TreatmentDecision | None, acceptance: int = 1) -> object:
    base = make_model(goals=GOAL, claims=CLAIM, requirements=REQ, acceptance=acceptance)
    return with_treatment(base, decision)


@pytest.mark.parametrize(
    ("decision", "rule"),
    [
        (TreatmentDecision((T.REDUCE,)), "treatment/reduce-needs-goal"),
        (TreatmentDecision((T.SHARE,)), "treatment/share-needs-claim"),
        (TreatmentDecision((T.RETAIN,), rationale="why"), "treatment/retain-needs-claim"),
        (TreatmentDecision((T.RETAIN,), claims=("CC-1",)), "treatment/retain-needs-rationale"),
        (TreatmentDecision((T.AVOID,)), "treatment/avoid-needs-rationale"),
        (TreatmentDecision((T.SHARE,), goals=("CG-1",), claims=("CC-1",)), "treatment/goal-without-reduce"),
        (None, "treatment/missing"),
        (TreatmentDecision((T.REDUCE,), goals=("CG-1",)), "treatment/residual-above-acceptance"),
    ],
)
def test_rule_fires(decision: TreatmentDecision | None, rule: str) -> None:
    assert rule in _rules(_model(decision))


@pytest.mark.parametrize(
    "decision",
    [
        TreatmentDecision((T.SHARE,), claims=("CC-1",)),
        TreatmentDecision((T.RETAIN,), claims=("CC-1",), rationale="accepted by the product owner"),
        TreatmentDecision((T.AVOID,), rationale="the feature is removed"),
        TreatmentDecision((T.REDUCE, T.SHARE), goals=("CG-1",), claims=("CC-1",)),
    ],
)
def test_treatment_rules_pass(decision: TreatmentDecision) -> None:
    rules = _rules(_model(decision))
    assert not {r for r in rules if r.startswith("treatment/") and r != "treatment/residual-above-acceptance"}


def test_retaining_a_risk_within_acceptance_needs_no_rationale() -> None:
    model = _model(TreatmentDecision((T.RETAIN,), claims=("CC-1",)), acceptance=5)
    assert "treatment/retain-needs-rationale" not in _rules(model)


def test_residual_within_acceptance_after_controls() -> None:
    hard = Rating(attack_potential={"elapsed_time": "beyond_six_months", "equipment": "bespoke"})
    threat = make_threat(
        "TS-1",
        make_path(make_step(potential=dict(EASY), residual=hard)),
        treatment=TreatmentDecision((T.REDUCE,), goals=("CG-1",)),
    )
    model = make_model(threat, goals=GOAL, requirements=REQ, acceptance=2)
    result = evaluate(model, ISO)
    assert (result.threats["TS-1"].risk, result.threats["TS-1"].residual_risk) == (5, 2)
    assert not [f for f in result.findings if f.rule.startswith("treatment/")]


def test_goal_cal_is_determined_from_impact_and_vector() -> None:
    threat = make_threat(
        "TS-1",
        make_path(make_step(interface="IF-BT")),
        treatment=TreatmentDecision((T.REDUCE,), goals=("CG-1",)),
    )
    result = evaluate(make_model(threat, goals=GOAL, requirements=REQ), ISO)
    assert result.threats["TS-1"].cal == 4  # severe x adjacent
    assert result.goals["CG-1"].determined_cal == 4


def test_declared_cal_below_the_determined_one_is_flagged() -> None:
    threat = make_threat(
        "TS-1",
        make_path(make_step(interface="IF-CELL")),
        treatment=TreatmentDecision((T.REDUCE,), goals=("CG-1",)),
    )
    model = make_model(threat, goals=(Goal("CG-1", "goal", cal=2),), requirements=REQ)
    result = evaluate(model, ISO)
    assert "goal/cal-below-determined" in {f.rule for f in result.findings}
    assert result.goals["CG-1"].cal == 2


def test_risk_based_cal_option() -> None:
    from dataclasses import replace

    threat = make_threat("TS-1", make_path(make_step(interface="IF-CAN")))
    model = replace(make_model(threat), method=Method(cal=CalMethod.RISK_BASED))
    assert evaluate(model, ISO).threats["TS-1"].cal == 4  # risk 5 -> CAL4


@pytest.mark.parametrize(
    ("prop", "stride", "rule"),
    [
        ("integrity", "S", "threat/stride-property-mismatch"),
        ("non_repudiation", "R", "threat/property-not-of-asset"),
    ],
)
def test_threat_consistency(prop: str, stride: str, rule: str) -> None:
    assert rule in _rules(make_model(make_threat("TS-1", prop=prop, stride=stride)))


def test_coverage_warnings() -> None:
    model = make_model(
        goals=(*GOAL, Goal("CG-2", "unused")), claims=CLAIM, requirements=(Requirement("CR-9", "floating"),)
    )
    rules = _rules(model)
    assert {"goal/unused", "goal/no-requirement", "claim/unused", "requirement/unallocated"} <= rules


def test_unrated_threat() -> None:
    threat = make_threat("TS-1")
    from dataclasses import replace

    result = evaluate(make_model(replace(threat, attack_paths=())), ISO)
    assert result.threats["TS-1"].risk is None
    assert "threat/unrated" in {f.rule for f in result.findings}


def test_every_rule_cites_a_provision() -> None:
    for rule in RULES.values():
        assert rule.cites.startswith(("ISO/SAE 21434", "UN R155"))
        assert rule.severity in (Severity.ERROR, Severity.WARNING)


def test_an_avoided_risk_has_no_residual_risk() -> None:
    model = _model(TreatmentDecision((T.AVOID,), rationale="the feature is removed"))
    threat = evaluate(model, ISO).threats["TS-1"]  # type: ignore[arg-type]
    assert (threat.risk, threat.residual_risk, threat.residual_feasibility, threat.avoided) == (
        5,
        None,
        None,
        True,
    )
    assert evaluate(model, ISO).risk_counts(residual=True) == dict.fromkeys(range(1, 6), 0)  # type: ignore[arg-type]


def test_residual_risk_retained_with_a_rationale_does_not_warn() -> None:
    retained = TreatmentDecision(
        (T.REDUCE, T.RETAIN), goals=("CG-1",), claims=("CC-1",), rationale="accepted"
    )
    assert "treatment/residual-above-acceptance" not in _rules(_model(retained))


def test_cal_that_cannot_be_determined_is_flagged() -> None:
    threat = make_threat(
        "TS-1", make_path(make_step()), treatment=TreatmentDecision((T.REDUCE,), goals=("CG-1",))
    )
    result = evaluate(make_model(threat, goals=GOAL, requirements=REQ), ISO)
    assert result.threats["TS-1"].cal is None
    assert "threat/cal-undetermined" in {f.rule for f in result.findings}


def test_residual_rating_without_a_control_is_flagged() -> None:
    step = make_step(interface="IF-CAN", residual=Rating(attack_potential={"equipment": "bespoke"}))
    threat = make_threat("TS-1", make_path(step))
    findings = [
        f for f in evaluate(make_model(threat), ISO).findings if f.rule == "step/residual-without-control"
    ]
    assert [f.message for f in findings] == ["step S-1 has a residual rating but names no control"]


def test_review_status_rules() -> None:
    from dataclasses import replace

    from opencsms.engine.tara.model import Provenance, ReviewStatus

    base = make_threat("TS-1")
    rejected = replace(base, id="TS-2", status=ReviewStatus.REJECTED)
    merged = replace(base, id="TS-3", status=ReviewStatus.MERGED)
    proposed = replace(base, id="TS-4", status=ReviewStatus.PROPOSED, damage_scenarios=())
    obsolete = replace(base, id="TS-5", generated=Provenance("R", "A-1", obsolete=True))
    accepted_without_damage = replace(base, id="TS-6", damage_scenarios=())
    result = evaluate(make_model(base, rejected, merged, proposed, obsolete, accepted_without_damage), ISO)
    found = {(f.element, f.rule) for f in result.findings}
    assert ("TS-2", "threat/rejected-needs-rationale") in found
    assert ("TS-3", "threat/merged-needs-target") in found
    assert ("TS-4", "threat/proposed") in found
    assert ("TS-5", "threat/obsolete") in found
    assert ("TS-6", "threat/no-damage-scenario") in found
    assert set(result.threats) == {
        "TS-1",
        "TS-4",
        "TS-6",
    }  # rejected, merged and obsolete are out of the analysis
    assert result.threats["TS-4"].risk is None
