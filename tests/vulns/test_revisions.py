"""A release's SBOM replaced by a new revision: components diffed, findings carried over with their triage,
closed with a record where the component left, new where new components match; revisions kept; all or
nothing; audited. Over the API too."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from opencsms.core.errors import Conflict, Invalid
from opencsms.core.models import ChangeRecord
from opencsms.vulns import selectors, services
from opencsms.vulns.models import Finding, Release, SbomRevision
from opencsms.vulns.services import revisions
from tests.factories.vulns import cyclonedx, osv, osv_bytes
from tests.vulns.conftest import Team, pads_release

pytestmark = pytest.mark.django_db
NEW = ("pkg:npm/left-pad@1.0.0", "pkg:npm/right-pad@2.1.0", "pkg:npm/down-pad@1.0.0")


def _prepared(team: Team) -> Release:
    """The pads release, with an advisory of down-pad waiting and a person's triage on two findings."""
    release = pads_release(team)
    services.import_advisories(
        actor=team.engineer, project_id=team.project.pk, raw=osv_bytes(osv("GHSA-4", "down-pad"))
    )
    for vulnerability in ("CVE-2024-1", "GHSA-2"):
        finding = Finding.objects.get(release=release, vulnerability_id=vulnerability)
        services.triage_finding(
            actor=team.engineer, finding_id=finding.pk, stage="analysed", vex_status="affected"
        )
    return release


def _state(release: Release) -> list[tuple[object, ...]]:
    findings = Finding.objects.filter(release=release).order_by("pk")
    return [
        *findings.values_list("pk", "vulnerability_id", "vex_status", "stage", "version", "component_id"),
        *release.components.order_by("pk").values_list("pk", "version", "removed_in"),
        (
            Release.objects.get(pk=release.pk).sbom_sha256,
            SbomRevision.objects.filter(release=release).count(),
        ),
    ]


def test_a_new_revision_carries_closes_and_creates_findings(team: Team) -> None:
    release = _prepared(team)
    kept = Finding.objects.get(release=release, vulnerability_id="CVE-2024-1")
    old_sha = release.sbom_sha256
    revision = services.replace_sbom(
        actor=team.engineer, release_id=release.pk, raw=cyclonedx(*NEW), filename="ecu-2.cdx.json"
    )
    assert revision.number == 2
    assert revision.summary == {
        "components": {"kept": 2, "added": 1, "removed": 1, "changed": 1},
        "findings": {"carried": 1, "closed": 2, "new": 1},
        "changes": ["right-pad 1.2.0 -> 2.1.0"],
    }
    assert revision.described == (
        "components: 2 kept, 1 added, 1 removed, 1 changed; findings: 1 carried, 2 closed, 1 new"
    )
    carried = Finding.objects.get(pk=kept.pk)
    assert (carried.vex_status, carried.stage, carried.version) == ("affected", "analysed", kept.version)
    left = Finding.objects.filter(release=release, vulnerability_id__in=("GHSA-2", "GHSA-3")).order_by("pk")
    assert [(f.stage, f.vex_status, f.justification, f.rationale) for f in left] == [
        ("not_relevant", "not_affected", "component_not_present",
         "Component right-pad 1.2.0 left the release in SBOM revision 2"),
        ("not_relevant", "not_affected", "component_not_present",
         "Component up-pad 0.1.0 left the release in SBOM revision 2"),
    ]  # fmt: skip
    new = Finding.objects.get(release=release, vulnerability_id="GHSA-4")
    assert (new.component.name, new.vex_status) == ("down-pad", "under_investigation")
    current = selectors.components(release)
    assert [(c.name, c.version, c.position) for c in current] == [
        ("ecu-firmware", "1.0", 0),
        ("left-pad", "1.0.0", 1),
        ("right-pad", "2.1.0", 2),
        ("down-pad", "1.0.0", 3),
    ]  # fmt: skip (the SBOM's subject is a component too)
    assert selectors.release(team.engineer, release.pk).component_count == 4
    history = list(selectors.sbom_revisions(release))
    assert [(r.number, r.uploaded_by) for r in history] == [(2, team.engineer), (1, team.engineer)]
    assert (history[1].sha256, history[0].filename) == (old_sha, "ecu-2.cdx.json")
    assert Release.objects.get(pk=release.pk).sbom == cyclonedx(*NEW)
    (record,) = ChangeRecord.objects.filter(action="vulns_release.sbom_replaced")
    assert (record.actor, record.before["sbom_sha256"], record.after["revision"]) == (
        team.engineer, old_sha, 2,
    )  # fmt: skip
    assert record.after["findings"] == {"carried": 1, "closed": 2, "new": 1}
    closed = ChangeRecord.objects.filter(action="vulns_finding.closed_component_left")
    assert sorted(r.object_id for r in closed) == sorted(str(f.pk) for f in left)


def test_a_later_advisory_no_longer_finds_a_component_that_left(team: Team) -> None:
    release = _prepared(team)
    services.replace_sbom(actor=team.engineer, release_id=release.pk, raw=cyclonedx(*NEW))
    result = services.import_advisories(
        actor=team.engineer, project_id=team.project.pk, raw=osv_bytes(osv("GHSA-5", "up-pad"))
    )
    assert result.findings == 0
    third = services.replace_sbom(
        actor=team.engineer, release_id=release.pk, raw=cyclonedx(*NEW, "pkg:npm/up-pad@0.1.0")
    )
    assert third.number == 3
    assert third.summary["findings"] == {"carried": 2, "closed": 0, "new": 2}  # GHSA-3 and GHSA-5 again
    again = Finding.objects.filter(release=release, component__name="up-pad", component__removed_in=None)
    assert sorted(again.values_list("vulnerability_id", flat=True)) == ["GHSA-3", "GHSA-5"]


def test_refusals_change_nothing(team: Team) -> None:
    release = _prepared(team)
    before = _state(release)
    with pytest.raises(Conflict, match="is the release's current SBOM"):
        services.replace_sbom(actor=team.engineer, release_id=release.pk, raw=release.sbom, filename="x.json")
    with pytest.raises(Invalid, match="not-an-sbom"):
        services.replace_sbom(actor=team.engineer, release_id=release.pk, raw=b'{"lockfileVersion": 3}')
    with pytest.raises(PermissionDenied):
        services.replace_sbom(actor=team.auditor, release_id=release.pk, raw=cyclonedx(*NEW))
    assert _state(release) == before
    assert not ChangeRecord.objects.filter(action="vulns_release.sbom_replaced").exists()


def test_a_failure_half_way_leaves_the_release_as_it_was(team: Team, monkeypatch: pytest.MonkeyPatch) -> None:
    release = _prepared(team)
    SbomRevision.objects.filter(release=release).delete()  # a release older than revisions
    before = _state(release)

    def broken(*args: object) -> list[Finding]:
        raise RuntimeError("the matcher stopped")

    monkeypatch.setattr(revisions, "match_release", broken)
    with pytest.raises(RuntimeError):
        services.replace_sbom(actor=team.engineer, release_id=release.pk, raw=cyclonedx(*NEW))
    assert _state(release) == before
    monkeypatch.undo()
    revision = services.replace_sbom(actor=team.engineer, release_id=release.pk, raw=cyclonedx(*NEW))
    first = SbomRevision.objects.get(release=release, number=1)
    assert (revision.number, first.sha256, first.uploaded_by) == (2, release.sbom_sha256, team.engineer)


def test_replace_over_the_api(team: Team) -> None:
    release = _prepared(team)
    client = Client()
    client.force_login(team.engineer)
    url = f"/api/v1/releases/{release.pk}/sbom-revisions"
    bad = client.post(url, {"file": SimpleUploadedFile("lock.json", b'{"lockfileVersion": 3}')})
    assert bad.status_code == 422
    assert "not-an-sbom" in bad.json()["detail"]
    same = client.post(url, {"file": SimpleUploadedFile("ecu.json", release.sbom)})
    assert same.status_code == 409
    made = client.post(url, {"file": SimpleUploadedFile("ecu-2.cdx.json", cyclonedx(*NEW))})
    assert made.status_code == 201
    body = made.json()
    assert (body["number"], body["filename"], body["uploaded_by"]) == (
        2,
        "ecu-2.cdx.json",
        str(team.engineer),
    )
    assert body["summary"]["findings"] == {"carried": 1, "closed": 2, "new": 1}
    listed = client.get(url).json()
    assert [r["number"] for r in listed] == [2, 1]
    assert listed[1]["summary"]["components"] == {"added": 4}
