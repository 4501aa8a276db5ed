"""Findings of withdrawn advisories: closed by the documented rule when nothing else supports them and
nobody concluded them; audited as the actor of the import."""

from __future__ import annotations

import pytest

from opencsms.core.errors import Invalid
from opencsms.core.models import ChangeRecord
from opencsms.vulns import services
from opencsms.vulns.models import Finding, Release
from opencsms.vulns.services import withdrawals
from tests.factories.vulns import make_release, osv, osv_bytes
from tests.vulns.conftest import Team

pytestmark = pytest.mark.django_db
WITHDRAWN = "2026-02-01T00:00:00Z"


def _import(team: Team, *records: dict[str, object]) -> services.ImportResult:
    return services.import_advisories(
        actor=team.engineer, project_id=team.project.pk, raw=osv_bytes(*records)
    )


def _release(team: Team) -> Release:
    _import(
        team,
        osv("GHSA-a", "left-pad"),
        osv("GHSA-b", "right-pad", aliases=("CVE-2024-9",)),
        osv("PYSEC-b", "right-pad", aliases=("CVE-2024-9",)),  # a second advisory of the same vulnerability
        osv("GHSA-c", "up-pad"),
    )
    return make_release(
        team.engineer,
        team.project,
        "pkg:npm/left-pad@1.0.0",
        "pkg:npm/right-pad@1.0.0",
        "pkg:npm/up-pad@1.0.0",
    )


def test_a_withdrawn_advisory_closes_the_findings_only_it_supports(team: Team) -> None:
    release = _release(team)
    concluded = Finding.objects.get(release=release, vulnerability_id="GHSA-c")
    services.triage_finding(
        actor=team.engineer, finding_id=concluded.pk, stage="analysed", vex_status="affected"
    )
    result = _import(
        team,
        osv("GHSA-a", "left-pad", withdrawn=WITHDRAWN, modified=WITHDRAWN),
        osv("GHSA-b", "right-pad", aliases=("CVE-2024-9",), withdrawn=WITHDRAWN, modified=WITHDRAWN),
        osv("GHSA-c", "up-pad", withdrawn=WITHDRAWN, modified=WITHDRAWN),
    )
    assert (result.changed, result.closed) == (3, 1)
    closed = Finding.objects.get(release=release, vulnerability_id="GHSA-a")
    assert (closed.stage, closed.vex_status, closed.justification) == (
        "not_relevant",
        "not_affected",
        "vulnerable_code_not_present",
    )
    assert "GHSA-a (withdrawn 2026-02-01" in closed.rationale
    kept = {f.vulnerability_id: f.vex_status for f in Finding.objects.filter(release=release)}
    assert kept["CVE-2024-9"] == "under_investigation"  # PYSEC-b still supports it
    assert kept["GHSA-c"] == "affected"  # a person concluded it
    (record,) = ChangeRecord.objects.filter(action="vulns_finding.closed_withdrawn")
    assert (record.actor, record.object_id, record.before["vex_status"]) == (
        team.engineer,
        str(closed.pk),
        "under_investigation",
    )
    assert record.after["vex_status"] == "not_affected"
    withdrawn_again = _import(team, osv("PYSEC-b", "right-pad", aliases=("CVE-2024-9",), withdrawn=WITHDRAWN))
    assert withdrawn_again.closed == 1  # now nothing supports CVE-2024-9


def test_a_new_withdrawn_advisory_makes_no_finding(team: Team) -> None:
    release = make_release(team.engineer, team.project, "pkg:npm/left-pad@1.0.0")
    result = _import(team, osv("GHSA-w", "left-pad", withdrawn=WITHDRAWN))
    assert (result.new, result.findings, result.closed) == (1, 0, 0)
    assert not release.findings.exists()


def test_a_closure_is_checked_by_the_triage_rules(team: Team, monkeypatch: pytest.MonkeyPatch) -> None:
    release = _release(team)
    monkeypatch.setattr(withdrawals, "JUSTIFICATION", "no_such_reason")  # a closure the rules refuse
    with pytest.raises(Invalid, match="not_affected needs a justification"):
        _import(team, osv("GHSA-a", "left-pad", withdrawn=WITHDRAWN, modified=WITHDRAWN))
    assert release.findings.get(vulnerability_id="GHSA-a").vex_status == "under_investigation"
