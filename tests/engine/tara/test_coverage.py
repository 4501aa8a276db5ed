"""UN R155 Annex 5 coverage: threats by status, mitigations by controls, not-applicable with rationale."""

from __future__ import annotations

from dataclasses import replace

from opencsms.engine.catalogue import annex5
from opencsms.engine.tara.coverage import annex5_coverage
from opencsms.engine.tara.model import Control, NotApplicable, ReviewStatus
from tests.factories.tara import make_model, make_threat


def test_coverage_statuses() -> None:
    accepted = replace(make_threat("TS-1"), annex5=("5.1", "22.2"))  # 22.2 is an alias of 22.1
    proposed = replace(make_threat("TS-2"), annex5=("6.3",), status=ReviewStatus.PROPOSED)
    rejected = replace(make_threat("TS-3"), annex5=("7.1",), status=ReviewStatus.REJECTED, rationale="no")
    model = replace(
        make_model(accepted, proposed, rejected),
        annex5_not_applicable=(NotApplicable("2.1", "no back end"), NotApplicable("M4", "no cloud")),
        controls=(Control("C-1", "SecOC", mitigations=("M10",)),),
    )
    coverage = annex5_coverage(model)
    status = {t.id: t.status for t in coverage.threats}
    assert status["5.1"] == "covered"
    assert status["6.3"] == "pending"
    assert status["7.1"] == "uncovered"  # a rejected threat scenario covers nothing
    assert status["2.1"] == "not_applicable"
    assert {t.id: t.threats for t in coverage.threats}["5.1"] == ("TS-1",)
    assert coverage.required == 70
    assert len(coverage.threats) == 72  # with the two draft-only entries of group 14
    assert status["22.1"] == "covered"  # named by its alias 22.2
    assert coverage.count("covered") == 2
    assert {t.id for t in coverage.gaps} == {
        t.id for t in annex5().threats if t.status != "draft_only" and t.id not in ("5.1", "22.1", "2.1")
    }
    mitigations = {m.id: m.status for m in coverage.mitigations}
    assert (mitigations["M10"], mitigations["M4"], mitigations["M1"]) == (
        "implemented",
        "not_applicable",
        "missing",
    )


def test_a_threat_both_covered_and_declared_not_applicable_is_flagged() -> None:
    from opencsms.engine import evaluate, load_profile

    model = replace(
        make_model(replace(make_threat("TS-1"), annex5=("5.1",))),
        annex5_not_applicable=(NotApplicable("5.1", "not relevant"),),
    )
    findings = [
        f
        for f in evaluate(model, load_profile("iso21434")).findings
        if f.rule == "annex5/covered-and-not-applicable"
    ]
    assert [(f.element, f.message) for f in findings] == [
        ("Annex 5 5.1", "declared not applicable, yet TS-1 cover it")
    ]
