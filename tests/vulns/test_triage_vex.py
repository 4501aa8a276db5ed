"""Triage along ISO/SAE 21434 clause 8, audited; VEX export that reads back through the engine."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from opencsms.core.errors import Invalid, NotFound
from opencsms.core.models import ChangeRecord
from opencsms.engine.vex import parse_vex
from opencsms.organisation.models import Membership
from opencsms.vulns import selectors, services
from opencsms.vulns.models import Finding, Release
from tests.factories.core import make_admin
from tests.vulns.conftest import Team, pads_release

pytestmark = pytest.mark.django_db


_release = pads_release


def _finding(release: Release, vulnerability: str) -> Finding:
    return Finding.objects.get(release=release, vulnerability_id=vulnerability)


def test_triage_flow_is_audited_with_before_and_after(team: Team) -> None:
    finding = _finding(_release(team), "CVE-2024-1")
    services.triage_finding(
        actor=team.engineer, finding_id=finding.pk, stage="weakness", owner_id=team.engineer.pk
    )
    services.triage_finding(
        actor=team.engineer, finding_id=finding.pk, stage="analysed", vex_status="affected"
    )
    done = services.triage_finding(
        actor=team.engineer, finding_id=finding.pk, decision="remediate", rationale="Update to 2.0.0 in 1.1"
    )
    assert (done.stage, done.vex_status, done.decision, done.owner) == (
        "decided",
        "affected",
        "remediate",
        team.engineer,
    )
    records = ChangeRecord.objects.filter(action="vulns_finding.triaged").order_by("seq")
    assert [r.after["stage"] for r in records] == ["weakness", "analysed", "decided"]
    assert records[0].before["stage"] == "event"
    assert records[2].before["decision"] == ""
    assert records[2].after["rationale"] == "Update to 2.0.0 in 1.1"
    unchanged = services.triage_finding(actor=team.engineer, finding_id=finding.pk, stage="decided")
    assert unchanged.pk == finding.pk
    assert records.count() == 3  # no change, no record


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"vex_status": "not_affected", "stage": "analysed"}, "needs a justification"),
        ({"vex_status": "not_affected", "justification": "component_not_present"}, "is a conclusion"),
        ({"justification": "component_not_present"}, "not_affected only"),
        ({"decision": "accept", "rationale": "low exposure"}, "set the VEX status affected"),
        ({"decision": "mitigate"}, "needs a rationale"),
        ({"stage": "decided"}, "needs a decision"),
        ({"stage": "not_relevant"}, "needs a rationale"),
        ({"stage": "closed"}, "use one of"),
        ({"stage": "analysed", "decision": "remediate", "rationale": "update"}, "at the stage decided"),
    ],
)
def test_triage_rules(team: Team, changes: dict[str, str], message: str) -> None:
    finding = _finding(_release(team), "CVE-2024-1")
    with pytest.raises(Invalid, match=message):
        services.triage_finding(actor=team.engineer, finding_id=finding.pk, **changes)
    finding.refresh_from_db()
    assert finding.stage == "event"


def test_triage_permissions_and_owner(team: Team) -> None:
    finding = _finding(_release(team), "CVE-2024-1")
    with pytest.raises(PermissionDenied):
        services.triage_finding(actor=team.reviewer, finding_id=finding.pk, stage="weakness")
    with pytest.raises(NotFound):
        services.triage_finding(actor=team.outsider, finding_id=finding.pk, stage="weakness")
    with pytest.raises(Invalid, match="cannot own"):
        services.triage_finding(actor=team.engineer, finding_id=finding.pk, owner_id=team.auditor.pk)
    due = dt.date(2030, 1, 1)
    changed = services.triage_finding(actor=team.manager, finding_id=finding.pk, due_date=due)
    assert changed.due_date == due


def test_the_finding_page_offers_exactly_the_owners_triage_accepts(team: Team) -> None:
    finding = _finding(_release(team), "CVE-2024-1")
    make_admin("root")  # superusers may edit every project
    services.triage_finding(actor=team.engineer, finding_id=finding.pk, owner_id=team.engineer.pk)
    Membership.objects.filter(user=team.engineer).delete()  # the owner leaves the project
    offered = selectors.triage_panel(team.manager, finding.pk).owners
    assert [name for _, name in offered] == ["engineer", "manager", "root"]
    for pk, _ in offered:  # the owner kept first, then each other choice
        done = services.triage_finding(actor=team.manager, finding_id=finding.pk, owner_id=pk)
        assert done.owner_id == pk
    assert [name for _, name in selectors.triage_panel(team.manager, finding.pk).owners] == [
        "manager",
        "root",
    ]
    with pytest.raises(Invalid, match="cannot own"):
        services.triage_finding(actor=team.manager, finding_id=finding.pk, owner_id=team.engineer.pk)


def test_findings_filters(team: Team) -> None:
    release = _release(team)
    all_ids = {f.vulnerability_id for f in selectors.findings(team.auditor, release_id=release.pk)}
    assert all_ids == {"CVE-2024-1", "GHSA-2", "GHSA-3"}
    critical = selectors.findings(
        team.auditor, release_id=release.pk, filters=selectors.FindingFilter("critical")
    )
    assert [f.vulnerability_id for f in critical] == ["CVE-2024-1"]
    with pytest.raises(NotFound):
        selectors.findings(team.outsider, release_id=release.pk)


@pytest.mark.parametrize("fmt", selectors.VEX_FORMATS)
def test_vex_export_reads_back_to_the_same_statements(team: Team, fmt: str) -> None:
    release = _release(team)
    services.triage_finding(
        actor=team.engineer,
        finding_id=_finding(release, "GHSA-2").pk,
        stage="analysed",
        vex_status="not_affected",
        justification="vulnerable_code_not_in_execute_path",
    )
    services.triage_finding(
        actor=team.engineer, finding_id=_finding(release, "GHSA-3").pk, stage="analysed", vex_status="fixed"
    )
    statements = parse_vex(selectors.vex_bytes(release, fmt), f"release.{fmt}.json")
    read = {(s.vulnerability, s.status.value, s.products) for s in statements}
    assert read == {
        ("CVE-2024-1", "under_investigation", ("pkg:npm/left-pad@1.0.0",)),
        ("GHSA-2", "not_affected", ("pkg:npm/right-pad@1.2.0",)),
        ("GHSA-3", "fixed", ("pkg:npm/up-pad@0.1.0",)),
    }
    justified = next(s for s in statements if s.vulnerability == "GHSA-2")
    assert justified.justification in {"vulnerable_code_not_in_execute_path", "code_not_reachable"}
    with pytest.raises(Invalid):
        selectors.vex_document(release, "spdx")
