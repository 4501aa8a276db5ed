"""Releases and advisories in the database: SBOM upload, refusal, incremental matching, alias merging."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from opencsms.core.errors import Conflict, Invalid, NotFound
from opencsms.core.models import ChangeRecord
from opencsms.engine.matching import PortfolioIndex
from opencsms.organisation.models import Role
from opencsms.vulns import services
from opencsms.vulns.models import Advisory, Finding, Release, ReleaseComponent
from opencsms.vulns.services import matching
from tests.factories.core import make_user
from tests.factories.organisation import make_membership
from tests.factories.vulns import CRITICAL, MEDIUM, make_release, osv, osv_bytes
from tests.paths import GOLDEN
from tests.vulns.conftest import Team

INPUTS = GOLDEN / "vulns" / "inputs"  # real advisories (tests/golden/vulns/SOURCES.md)
pytestmark = pytest.mark.django_db


def _import(team: Team, *records: dict[str, object]) -> services.ImportResult:
    return services.import_advisories(
        actor=team.engineer, project_id=team.project.pk, raw=osv_bytes(*records), filename="adv.json"
    )


def test_upload_matches_stored_advisories_and_is_audited(team: Team) -> None:
    _import(team, osv("GHSA-1", "left-pad", vector=CRITICAL, aliases=("CVE-2024-1",)))
    release = make_release(team.engineer, team.project, "pkg:npm/left-pad@1.0.0", "pkg:npm/ok@3.0.0")
    assert release.sbom_format.startswith("CycloneDX")
    assert ReleaseComponent.objects.filter(release=release).count() == 3  # the SBOM's subject too
    (finding,) = Finding.objects.filter(release=release)
    assert (finding.vulnerability_id, finding.aliases, finding.severity) == (
        "CVE-2024-1",
        ["GHSA-1"],
        "CRITICAL",
    )
    assert finding.evidence[0]["kind"] == "range"
    assert (finding.due_date - finding.created_at.date()).days == 7
    record = ChangeRecord.objects.filter(action="vulns_release.created").get()
    assert record.after["findings"] == 1
    with pytest.raises(Conflict):
        make_release(team.engineer, team.project, "pkg:npm/left-pad@1.0.1")


def test_refused_sbom_changes_nothing(team: Team) -> None:
    before = (Release.objects.count(), ReleaseComponent.objects.count(), ChangeRecord.objects.count())
    with pytest.raises(Invalid, match=r"not a readable SBOM.*not-an-sbom"):
        services.upload_sbom(
            actor=team.engineer, project_id=team.project.pk, name="ecu", version="1",
            raw=b'{"lockfileVersion": 3}', filename="package-lock.json",
        )  # fmt: skip
    with pytest.raises(Invalid):
        services.upload_sbom(
            actor=team.engineer,
            project_id=team.project.pk,
            name="ecu",
            version="1",
            raw=b"\xff\xfe<",
            filename="x",
        )
    assert (Release.objects.count(), ReleaseComponent.objects.count(), ChangeRecord.objects.count()) == before


def test_permissions(team: Team) -> None:
    with pytest.raises(NotFound):
        make_release(team.outsider, team.project, "pkg:npm/a@1.0.0")
    with pytest.raises(Exception, match="may not edit"):
        make_release(team.reviewer, team.project, "pkg:npm/a@1.0.0")
    with pytest.raises(Exception, match="may not edit"):
        services.import_advisories(
            actor=team.auditor, project_id=team.project.pk, raw=osv_bytes(osv("X", "a"))
        )
    with pytest.raises(NotFound):  # a project-level member does not see the organisation
        services.import_advisories(
            actor=team.engineer, organisation_id=team.tree.organisation.pk, raw=osv_bytes(osv("X-1", "a"))
        )


def test_one_new_advisory_is_matched_against_its_components_only(
    team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    for number in range(20):
        make_release(team.engineer, team.project, f"pkg:npm/lib-{number}@1.0.0", version=str(number))
    added: list[int] = []
    original = PortfolioIndex.add_release

    def spy(self: PortfolioIndex, release: str, sbom: object) -> None:
        added.append(len(sbom.components))  # type: ignore[attr-defined]
        original(self, release, sbom)  # type: ignore[arg-type]

    monkeypatch.setattr(PortfolioIndex, "add_release", spy)
    result = _import(team, osv("GHSA-7", "lib-7", vector=MEDIUM))
    assert (result.new, result.findings) == (1, 1)
    assert added == [1]  # one candidate component out of 60, found by the key index
    (finding,) = Finding.objects.all()
    assert finding.component.name == "lib-7"
    assert finding.severity == "MEDIUM"

    added.clear()
    again = _import(team, osv("GHSA-7", "lib-7", vector=MEDIUM))
    assert (again.new, again.changed, again.unchanged, again.findings) == (0, 0, 1, 0)
    assert added == []  # an unchanged advisory is not matched again
    changed = _import(team, osv("GHSA-7", "lib-7", vector=MEDIUM, modified="2024-02-01T00:00:00Z"))
    assert (changed.changed, changed.findings) == (1, 0)
    assert added == [1]
    assert Finding.objects.count() == 1


def test_candidate_lookup_is_one_query_per_batch(team: Team, django_assert_num_queries: object) -> None:
    make_release(team.engineer, team.project, "pkg:npm/a@1.0.0")
    organisation = team.tree.organisation.pk
    with django_assert_num_queries(2):  # type: ignore[operator]
        assert len(matching.candidate_components(organisation, {"npm\x1f\x1fa", "npm\x1f\x1fb"})) == 1


def test_aliases_of_later_imports_merge_into_one_finding(team: Team) -> None:
    release = make_release(team.engineer, team.project, "pkg:npm/left-pad@1.0.0")
    _import(team, osv("GO-2024-1", "left-pad", aliases=("GHSA-aaaa",)))
    _import(team, osv("CVE-2024-9", "left-pad", aliases=("GHSA-aaaa",), vector=CRITICAL))
    (finding,) = Finding.objects.filter(release=release)
    assert finding.vulnerability_id == "GHSA-aaaa"  # the engine's name; kept once stored
    assert set(finding.aliases) == {"GO-2024-1", "CVE-2024-9"}
    assert (finding.severity, len(finding.evidence)) == ("CRITICAL", 2)


def test_fixed_versions_and_other_organisations_do_not_match(team: Team) -> None:
    make_release(team.engineer, team.project, "pkg:npm/left-pad@2.0.0")
    other = make_release(team.outsider, team.tree.other_project, "pkg:npm/left-pad@1.0.0")
    _import(team, osv("GHSA-1", "left-pad"))
    assert Finding.objects.count() == 0
    assert not Advisory.objects.filter(organisation=team.tree.other_organisation).exists()
    assert other.findings.count() == 0


def test_zip_and_real_go_advisory(team: Team) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("GO-2020-0001.json", (INPUTS / "osv-GO-2020-0001.json").read_bytes())
        archive.writestr("GO-2022-0617.json", (INPUTS / "osv-GO-2022-0617-withdrawn.json").read_bytes())
        archive.writestr("README.md", b"not an advisory")
    release = make_release(team.engineer, team.project, "pkg:golang/github.com/gin-gonic/gin@v1.5.0")
    result = services.import_advisories(
        actor=team.engineer, project_id=team.project.pk, raw=buffer.getvalue(), filename="go.zip"
    )
    assert (result.new, result.findings) == (2, 1)
    (finding,) = Finding.objects.filter(release=release)
    assert finding.vulnerability_id == "CVE-2020-36567"
    assert "GO-2020-0001" in finding.aliases


def test_advisory_source_folder_sync_runs_as_a_task(team: Team, tmp_path: Path, settings: Any) -> None:
    settings.OUTBOUND = {**settings.OUTBOUND, "source_directories": [str(tmp_path)]}
    (tmp_path / "GO-2020-0001.json").write_bytes((INPUTS / "osv-GO-2020-0001.json").read_bytes())
    (tmp_path / "notes.txt").write_text("skipped")
    release = make_release(team.engineer, team.project, "pkg:golang/github.com/gin-gonic/gin@v1.4.0")
    organisation_id = team.tree.organisation.pk
    psirt, auditor = make_user("psirt"), make_user("org-auditor")
    make_membership(psirt, team.tree.organisation, Role.ENGINEER)
    make_membership(auditor, team.tree.organisation, Role.AUDITOR)
    with pytest.raises(NotFound):  # sources are the organisation's: a business unit manager does not see them
        services.create_advisory_source(
            actor=team.manager, organisation_id=organisation_id, name="go", kind="osv_path", location="x"
        )
    with pytest.raises(Exception, match="may not edit"):
        services.create_advisory_source(
            actor=auditor, organisation_id=organisation_id, name="go", kind="osv_path", location="x"
        )
    source = services.create_advisory_source(
        actor=psirt, organisation_id=organisation_id, name="go", kind="osv_path", location=str(tmp_path)
    )
    queued = services.queue_sync(actor=psirt, source_id=source.pk)
    assert queued.task_id
    result = services.sync_source_task.call(source_id=source.pk, actor_id=psirt.pk)
    assert (result["new"], result["findings"]) == (1, 1)
    assert release.findings.count() == 1
    source.refresh_from_db()
    assert source.last_result["new"] == 1
    assert services.sync_source(actor=psirt, source_id=source.pk).unchanged == 1
