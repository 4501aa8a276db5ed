"""Bulk edits of a TARA's lists (services.bulk_edit_elements): all or nothing, naming each element refused,
one audit record per changed element; proposals kept out of the risk figures until accepted; the
overview's untreated count equals its list filter; the API endpoint."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from opencsms.core.audit import AuditAction
from opencsms.core.errors import Invalid, NotFound
from opencsms.core.models import ChangeRecord
from opencsms.tara import selectors, services
from opencsms.tara.models import Element, Kind, Tara
from tests.tara.conftest import Team

pytestmark = pytest.mark.django_db
THREATS = Kind.THREAT_SCENARIO


def _threats(tara: Tara, **filters: object) -> dict[str, Element]:
    return {e.ref: e for e in Element.objects.filter(tara=tara, kind=THREATS, **filters)}


def _bulk(team: Team, tara: Tara, refs: list[str], **changes: str) -> list[Element]:
    return services.bulk_edit_elements(
        actor=team.engineer, tara_id=tara.pk, kind=THREATS, refs=refs, changes=changes
    )


def test_a_bulk_decision_changes_each_element_and_audits_each(team: Team, reference: Tara) -> None:
    refs = ["TS-01", "TS-02", "TS-03"]
    before = {ref: e.data for ref, e in _threats(reference, ref__in=refs).items()}
    done = _bulk(team, reference, refs, decision="retain", rationale="accepted by the product owner")
    assert [(e.ref, e.status) for e in done] == [(ref, "retain") for ref in refs]
    stored = _threats(reference, ref__in=refs)
    for ref in refs:
        treatment = stored[ref].data["treatment"]
        assert treatment["decision"] == "retain"
        assert treatment.get("goals") == before[ref]["treatment"].get("goals")  # the rest kept
        assert stored[ref].data["rationale"] == "accepted by the product owner"
    records = ChangeRecord.objects.filter(action=AuditAction.ELEMENT_CHANGED, actor=team.engineer)
    assert sorted(r.object_repr.split()[0] for r in records) == [f"{reference.ref}/{ref}" for ref in refs]
    assert all(r.before["treatment"] != r.after["treatment"] for r in records)


def test_one_refused_element_refuses_the_whole_change_naming_it(team: Team, reference: Tara) -> None:
    services.generate_threats(actor=team.engineer, tara_id=reference.pk)
    proposal = next(iter(_threats(reference, status="proposed")))
    before = {ref: e.data for ref, e in _threats(reference).items()}
    with pytest.raises(Invalid) as refused:
        _bulk(team, reference, ["TS-01", proposal, "TS-02"], decision="avoid")
    assert refused.value.detail.startswith("nothing changed: 1 of 3 refused:")
    assert f"{proposal}: it is proposed: only an accepted threat scenario gets a treatment decision" in (
        refused.value.detail
    )
    assert {ref: e.data for ref, e in _threats(reference).items()} == before
    assert not ChangeRecord.objects.filter(action=AuditAction.ELEMENT_CHANGED).exists()


def test_bad_requests_are_named(team: Team, reference: Tara) -> None:
    with pytest.raises(Invalid, match="a rejection needs a rationale"):
        _bulk(team, reference, ["TS-01"], status="rejected")
    with pytest.raises(
        Invalid, match="name: a bulk edit of threat scenarios sets status, decision, rationale"
    ):
        _bulk(team, reference, ["TS-01"], name="x")
    with pytest.raises(Invalid, match="decision 'later': use one of avoid, reduce, share, retain, untreated"):
        _bulk(team, reference, ["TS-01"], decision="later")
    with pytest.raises(Invalid, match="choose what to change"):
        _bulk(team, reference, ["TS-01"], rationale="  ")
    with pytest.raises(NotFound, match="no threat scenario 'TS-NOPE' in this TARA"):
        _bulk(team, reference, ["TS-01", "TS-NOPE"], decision="reduce")
    with pytest.raises(Invalid, match="assets have no field to change in bulk"):
        services.bulk_edit_elements(
            actor=team.engineer, tara_id=reference.pk, kind=Kind.ASSET, refs=["A-01"], changes={"x": "y"}
        )


def test_untreated_removes_a_bare_decision_and_never_loses_goals(team: Team, reference: Tara) -> None:
    services.generate_threats(actor=team.engineer, tara_id=reference.pk)
    ref = sorted(_threats(reference, status="proposed"))[0]
    _bulk(team, reference, [ref], status="accepted", decision="avoid")
    assert _threats(reference, ref=ref)[ref].data["treatment"] == {"decision": "avoid"}
    _bulk(team, reference, [ref], decision="untreated")
    assert "treatment" not in _threats(reference, ref=ref)[ref].data
    assert _threats(reference, ref=ref)[ref].status == "untreated"
    with pytest.raises(Invalid, match="TS-01: its treatment names goals: remove them on its page first"):
        _bulk(team, reference, ["TS-01"], decision="untreated")
    assert _threats(reference, ref="TS-01")["TS-01"].data["treatment"]["goals"] == ["CG-01", "CG-02"]


def test_a_reader_may_not_bulk_edit(team: Team, reference: Tara) -> None:
    with pytest.raises(PermissionDenied):
        services.bulk_edit_elements(
            actor=team.auditor,
            tara_id=reference.pk,
            kind=THREATS,
            refs=["TS-02"],
            changes={"decision": "avoid"},
        )


def test_proposals_are_pending_until_accepted(team: Team, reference: Tara) -> None:
    summary = reference.summary
    services.generate_threats(actor=team.engineer, tara_id=reference.pk, with_paths=True)
    after = Tara.objects.get(pk=reference.pk).summary
    proposals = _threats(reference, status="proposed")
    assert after["pending"] == len(proposals) > 100
    assert after["pending_high_risks"] == sum(1 for e in proposals.values() if (e.risk or 0) >= 4) > 0
    for key in ("risk", "residual_risk", "high_risks", "untreated_count", "heat_map"):
        assert after[key] == summary[key], key  # the proposals are not in the risk figures
    accepted = sorted(proposals)[:5]
    _bulk(team, reference, accepted, status="accepted")
    now = Tara.objects.get(pk=reference.pk).summary
    assert now["pending"] == after["pending"] - 5
    assert sum(now["risk"].values()) == sum(summary["risk"].values()) + sum(
        1 for ref in accepted if proposals[ref].risk
    )


def test_the_untreated_count_is_the_length_of_its_list_filter(team: Team, reference: Tara) -> None:
    services.generate_threats(actor=team.engineer, tara_id=reference.pk, with_paths=True)
    proposals = sorted(_threats(reference, status="proposed"))
    _bulk(team, reference, proposals[:40], status="accepted")  # accepted without a decision: untreated
    summary = Tara.objects.get(pk=reference.pk).summary
    filters = selectors.ElementFilter(status="untreated", risk_min=summary["untreated_min_risk"])
    listed = list(selectors.elements(reference, THREATS, filters).values_list("ref", flat=True))
    assert summary["untreated_count"] == len(listed) > 2
    assert sorted(summary["untreated_above_acceptance"]) == sorted(listed)[:50] or len(listed) > 50


def test_the_api_bulk_endpoint(team: Team, reference: Tara) -> None:
    client = Client()
    client.force_login(team.engineer)
    url = f"/api/v1/taras/{reference.pk}/elements/threat_scenarios/bulk"
    ok = client.post(url, {"refs": ["TS-01", "TS-02"], "changes": {"decision": "share"}}, "application/json")
    assert ok.status_code == 200
    assert [(e["ref"], e["status"]) for e in ok.json()] == [("TS-01", "share"), ("TS-02", "share")]
    bad = client.post(url, {"refs": ["TS-01"], "changes": {"status": "rejected"}}, "application/json")
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid")
    assert "TS-01: a rejection needs a rationale" in bad.json()["detail"]
    empty = client.post(url, {"refs": [], "changes": {"decision": "share"}}, "application/json")
    assert empty.status_code == 422
    reader = Client()
    reader.force_login(team.auditor)
    denied = reader.post(url, {"refs": ["TS-01"], "changes": {"decision": "avoid"}}, "application/json")
    assert denied.status_code == 403
    assert _threats(reference, ref="TS-01")["TS-01"].status == "share"
