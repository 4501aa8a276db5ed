"""An advisory that changed: a new revision that no longer covers a finding's component version closes the
finding with a record naming the revision; findings that still match keep their triage; newly matching
components get new findings; a finding another advisory still supports stays open without the stale one."""

from __future__ import annotations

from typing import Any

import pytest

from opencsms.core.models import ChangeRecord
from opencsms.vulns import services
from opencsms.vulns.models import Finding, Release
from tests.factories.vulns import make_release, osv, osv_bytes
from tests.vulns.conftest import Team

pytestmark = pytest.mark.django_db
REVISED = "2024-03-01T00:00:00Z"


def _import(team: Team, *records: dict[str, Any]) -> services.ImportResult:
    return services.import_advisories(
        actor=team.engineer, project_id=team.project.pk, raw=osv_bytes(*records)
    )


def _release(team: Team) -> Release:
    _import(
        team,
        osv("GHSA-a", "left-pad"),
        osv("GHSA-b", "right-pad"),
        osv("GHSA-c", "up-pad"),
        osv("GHSA-d", "side-pad", aliases=("CVE-2024-9",)),
        osv("PYSEC-d", "side-pad", aliases=("CVE-2024-9",)),
    )
    purls = ("left-pad@1.0.0", "right-pad@1.0.0", "up-pad@1.0.0", "down-pad@1.5.0", "side-pad@1.0.0")
    return make_release(team.engineer, team.project, *(f"pkg:npm/{p}" for p in purls))


def _with_down_pad(record: dict[str, Any]) -> dict[str, Any]:
    record["affected"].append({**record["affected"][0], "package": {"ecosystem": "npm", "name": "down-pad"}})
    return record


def test_a_new_revision_closes_what_it_no_longer_covers_and_keeps_the_rest(team: Team) -> None:
    release = _release(team)
    decided = Finding.objects.get(release=release, vulnerability_id="GHSA-b")
    services.triage_finding(
        actor=team.engineer, finding_id=decided.pk, stage="analysed", vex_status="affected"
    )
    decided.refresh_from_db()
    shared = Finding.objects.get(release=release, vulnerability_id="CVE-2024-9")
    assert sorted(e["advisory"] for e in shared.evidence) == ["GHSA-d", "PYSEC-d"]
    result = _import(
        team,
        osv("GHSA-a", "left-pad", fixed="0.9.0", modified=REVISED),  # 1.0.0 is no longer covered
        osv("GHSA-b", "right-pad", fixed="3.0.0", modified=REVISED),  # still covers 1.0.0
        _with_down_pad(osv("GHSA-c", "up-pad", modified=REVISED)),  # now also names down-pad
        osv("PYSEC-d", "side-pad", aliases=("CVE-2024-9",), fixed="0.5.0", modified=REVISED),
    )
    assert (result.changed, result.findings, result.closed, result.no_longer_matched) == (4, 1, 0, 1)
    closed = Finding.objects.get(release=release, vulnerability_id="GHSA-a")
    assert (closed.stage, closed.vex_status, closed.justification, closed.rationale) == (
        "not_relevant", "not_affected", "vulnerable_code_not_present",
        f"No longer matched: GHSA-a revision {REVISED} no longer covers left-pad 1.0.0",
    )  # fmt: skip
    (record,) = ChangeRecord.objects.filter(action="vulns_finding.closed_no_longer_matched")
    assert (record.actor, record.object_id, record.before["vex_status"]) == (
        team.engineer, str(closed.pk), "under_investigation",
    )  # fmt: skip
    kept = Finding.objects.get(pk=decided.pk)
    assert (kept.stage, kept.vex_status, kept.version) == ("analysed", "affected", decided.version)
    new = Finding.objects.get(release=release, vulnerability_id="GHSA-c", component__name="down-pad")
    assert new.vex_status == "under_investigation"
    assert Finding.objects.filter(release=release, vulnerability_id="GHSA-c").count() == 2
    shared.refresh_from_db()
    assert ([e["advisory"] for e in shared.evidence], shared.vex_status) == (
        ["GHSA-d"],
        "under_investigation",
    )


def test_a_person_decision_is_closed_too_and_the_record_keeps_it(team: Team) -> None:
    release = _release(team)
    finding = Finding.objects.get(release=release, vulnerability_id="GHSA-a")
    services.triage_finding(
        actor=team.engineer, finding_id=finding.pk, stage="decided", vex_status="affected",
        decision="remediate", rationale="update left-pad",
    )  # fmt: skip
    result = _import(team, osv("GHSA-a", "left-pad", fixed="0.9.0", modified=REVISED))
    assert result.no_longer_matched == 1
    finding.refresh_from_db()
    assert (finding.vex_status, finding.decision) == ("not_affected", "")
    (record,) = ChangeRecord.objects.filter(action="vulns_finding.closed_no_longer_matched")
    assert (record.before["decision"], record.before["rationale"]) == ("remediate", "update left-pad")


def test_an_unchanged_or_concluded_finding_is_left_alone(team: Team) -> None:
    release = _release(team)
    finding = Finding.objects.get(release=release, vulnerability_id="GHSA-a")
    services.triage_finding(
        actor=team.engineer, finding_id=finding.pk, stage="not_relevant", vex_status="not_affected",
        justification="vulnerable_code_not_in_execute_path", rationale="not called",
    )  # fmt: skip
    finding.refresh_from_db()
    assert _import(team, osv("GHSA-a", "left-pad")).unchanged == 1
    result = _import(team, osv("GHSA-a", "left-pad", fixed="0.9.0", modified=REVISED))
    assert result.no_longer_matched == 0
    after = Finding.objects.get(pk=finding.pk)
    assert (after.justification, after.version) == ("vulnerable_code_not_in_execute_path", finding.version)
