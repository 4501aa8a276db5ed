"""The vulnerability pages through the Django test client: full pages and htmx partials, the forms, the
services' refusals shown where the user acted, downloads that read back, and the notifications."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from opencsms.core.models import ChangeRecord
from opencsms.engine.vex import parse_vex
from opencsms.organisation.models import Role
from opencsms.tara.models import Element, Kind
from opencsms.vulns import services
from opencsms.vulns.models import Finding, Notification, Release
from tests.factories.core import make_user
from tests.factories.organisation import make_membership, make_project
from tests.factories.vulns import epss_csv, kev_json, make_release, osv, osv_bytes
from tests.factories.workspace import VULN_EXAMPLES, Monitored, advisories_zip

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def _text(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


def test_the_project_page_loads_its_releases_with_counts_and_the_upload_form(monitored: Monitored) -> None:
    engineer = monitored.client("engineer")
    project_id = monitored.release.project_id
    page = _text(engineer.get(f"/projects/{project_id}/"))
    assert f'hx-get="/projects/{project_id}/releases/"' in page
    listing = _text(engineer.get(f"/projects/{project_id}/releases/", **HX))
    assert "<html" not in listing
    assert 'data-testid="upload-sbom"' in listing
    assert f'<option value="{monitored.workspace.tara.pk}:TCU">' in listing
    row = listing[listing.index(f'data-release="{monitored.release.pk}"') :]
    assert 'data-testid="open-count">7<' in row
    full = _text(engineer.get(f"/projects/{project_id}/releases/"))
    assert "<html" in full
    assert "TCU firmware" in full


def test_upload_places_the_release_and_a_refused_sbom_writes_nothing(monitored: Monitored) -> None:
    engineer, project_id = monitored.client("engineer"), monitored.release.project_id
    tara = monitored.workspace.tara
    raw = (VULN_EXAMPLES / "cgw-firmware-1.8.0.cdx.json").read_bytes()
    form = {"name": "Gateway firmware", "version": "1.8.0", "component": f"{tara.pk}:CGW"}
    done = engineer.post(
        f"/projects/{project_id}/releases/upload/", {**form, "file": SimpleUploadedFile("c.json", raw)}
    )
    release = Release.objects.get(name="Gateway firmware")
    assert done["Location"] == f"/releases/{release.pk}/"
    assert (release.component_ref, release.tara_id, release.findings.count()) == ("CGW", tara.pk, 2)
    before = (Release.objects.count(), ChangeRecord.objects.count())
    bad = SimpleUploadedFile("package-lock.json", b'{"lockfileVersion": 3}')
    path = f"/projects/{project_id}/releases/upload/"
    refused = engineer.post(
        path, {**form, "version": "2", "file": bad}, HTTP_REFERER=f"/projects/{project_id}/"
    )
    assert refused.status_code == 302
    shown = _text(engineer.get(refused["Location"]))
    assert "not a readable SBOM" in shown
    assert "not-an-sbom" in shown
    inline = engineer.post(
        path,
        {**form, "version": "2", "file": SimpleUploadedFile("x.json", b"{}")},
        HTTP_HX_TARGET="project-releases",
        **HX,
    )
    assert inline["HX-Retarget"] == "#project-releases"
    assert "not a readable SBOM" in _text(inline)
    assert (Release.objects.count(), ChangeRecord.objects.count()) == before


def test_the_release_page_filters_sorts_and_pages_findings(monitored: Monitored) -> None:
    engineer = monitored.client("engineer")
    release = monitored.release
    page = _text(engineer.get(f"/releases/{release.pk}/"))
    assert "7 findings" in page
    assert 'hx-push-url="true"' in page
    for fmt in ("openvex", "cyclonedx", "csaf"):
        assert f'href="/releases/{release.pk}/vex.{fmt}.json"' in page
    critical = _text(engineer.get(f"/releases/{release.pk}/", {"severity": "CRITICAL"}, **HX))
    assert "<html" not in critical
    assert "1 finding<" in critical
    assert 'data-finding="EXAMPLE-2026-0001"' in critical
    by_text = _text(engineer.get(f"/releases/{release.pk}/", {"q": "GO-2021-0052"}, **HX))  # an alias
    assert 'data-finding="CVE-2020-28483"' in by_text
    assert "1 finding<" in by_text
    sorted_rows = _text(engineer.get(f"/releases/{release.pk}/", {"sort": "vulnerability_id"}, **HX))
    assert sorted_rows.index("CVE-2020-28483") < sorted_rows.index("GHSA-m425-mq94-257g")
    for query, count in (
        ({"status": "fixed"}, "0 findings"),
        ({"stage": "event"}, "7 findings"),
        ({"kev": "yes"}, "0 findings"),
    ):
        assert count in _text(engineer.get(f"/releases/{release.pk}/", query, **HX))
    components = _text(engineer.get(f"/releases/{release.pk}/components/", **HX))
    assert "pkg:golang/github.com/gorilla/websocket@v1.4.2" in components


def test_fifty_findings_a_page() -> None:
    from opencsms.vulns import services

    engineer, project = make_user(), make_project()
    make_membership(engineer, project, Role.ENGINEER)
    records = [osv(f"GHSA-{n:02}", f"lib-{n}") for n in range(60)]
    services.import_advisories(actor=engineer, project_id=project.pk, raw=osv_bytes(*records))
    release = make_release(engineer, project, *(f"pkg:npm/lib-{n}@1.0.0" for n in range(60)))
    client = Client()
    client.force_login(engineer)
    first = _text(client.get(f"/releases/{release.pk}/", {"sort": "vulnerability_id"}, **HX))
    assert first.count("<tr data-finding=") == 50
    assert "page 1 of 2" in first
    assert f'hx-get="/releases/{release.pk}/?sort=vulnerability_id&amp;page=2"' in first
    second = _text(client.get(f"/releases/{release.pk}/", {"sort": "vulnerability_id", "page": "2"}, **HX))
    assert second.count("<tr data-finding=") == 10
    assert "GHSA-59" in second


@pytest.mark.parametrize("fmt", ["openvex", "cyclonedx", "csaf"])
def test_vex_downloads_read_back(monitored: Monitored, fmt: str) -> None:
    response = monitored.client("auditor").get(f"/releases/{monitored.release.pk}/vex.{fmt}.json")
    assert response["Content-Disposition"] == f'attachment; filename="TCU firmware-4.2.0.{fmt}.json"'
    statements = parse_vex(response.content, f"tcu.{fmt}.json")
    assert {s.vulnerability for s in statements} >= {"EXAMPLE-2026-0001", "CVE-2020-28483"}


def test_the_finding_page_shows_the_evidence_and_triage_errors_inline(monitored: Monitored) -> None:
    engineer = monitored.client("engineer")
    gin = monitored.release.findings.get(vulnerability_id="CVE-2020-28483")
    page = _text(engineer.get(f"/findings/{gin.pk}/"))
    for shown in (
        "GO-2021-0052",
        "GHSA-h395-qcrw-5vmq",
        "pkg:golang/github.com/gin-gonic/gin@v1.6.3",
        "Save triage",
    ):
        assert shown in page
    assert "1.7.7" in page  # the range's fixed version
    assert f'hx-get="/audit/objects/vulns.finding/{gin.pk}/"' in page
    path = f"/findings/{gin.pk}/triage/edit/"
    refused = engineer.post(
        path, {"stage": "analysed", "vex_status": "not_affected"}, HTTP_HX_TARGET="triage-panel", **HX
    )
    assert (refused.status_code, refused["HX-Retarget"]) == (200, "#triage-panel")
    assert "not_affected needs a justification" in _text(refused)
    bad_form = engineer.post(
        path, {"stage": "nonsense", "vex_status": "affected"}, HTTP_HX_TARGET="triage-panel", **HX
    )
    assert "stage: Select a valid choice" in _text(bad_form)
    triage = {
        "stage": "analysed",
        "vex_status": "not_affected",
        "justification": "vulnerable_code_not_in_execute_path",
        "rationale": "The logger middleware is not used",
        "owner": monitored.workspace.users["engineer"].pk,
        "due_date": "2030-01-31",
    }
    done = engineer.post(path, triage, **HX)
    assert done["Location"] == f"/findings/{gin.pk}/triage/"
    with CaptureQueriesContext(connection) as read:
        panel = _text(engineer.get(done["Location"], **HX))
    assert 'data-testid="vex-status">Not affected<' in panel
    assert "<html" not in panel
    assert not [q for q in read if Element._meta.db_table in q["sql"]]  # the triage panel reads no TARA
    assert 'data-testid="threats-panel"' in _text(engineer.get(done["Location"]))  # else the whole page
    gin.refresh_from_db()
    assert (gin.vex_status, gin.justification, str(gin.due_date)) == (
        "not_affected",
        "vulnerable_code_not_in_execute_path",
        "2030-01-31",
    )
    assert ChangeRecord.objects.filter(action="vulns_finding.triaged", object_id=str(gin.pk)).count() == 1
    owner = monitored.workspace.users["engineer"]
    history = _text(engineer.get(f"/audit/objects/vulns.finding/{gin.pk}/", **HX))
    assert f"<strong>owner</strong> added: <ins>{owner.username}</ins>" in history  # by name, not number


def test_relinking_a_step_from_the_finding_shows_the_risk_before_and_after(monitored: Monitored) -> None:
    engineer = monitored.client("engineer")
    finding = monitored.finding
    page = _text(engineer.get(f"/findings/{finding.pk}/"))
    assert 'data-threat="TS-05"' in page
    threat = Element.objects.get(tara=monitored.workspace.tara, kind=Kind.THREAT_SCENARIO, ref="TS-05")
    link = {"threat": "TS-05", "path": "AP-05a", "address": "0"}
    done = engineer.post(f"/findings/{finding.pk}/threats/link/", link, **HX)
    assert done["Location"] == f"/findings/{finding.pk}/threats/"
    panel = _text(engineer.get(done["Location"], **HX))
    after = Element.objects.get(pk=threat.pk).risk
    assert after > threat.risk
    assert (
        f'<span class="risk risk-{threat.risk}">{threat.risk}</span> → <span class="risk risk-{after}">'
        in panel
    )
    nowhere = engineer.post(
        f"/findings/{finding.pk}/threats/link/", {**link, "threat": "TS-06", "path": "AP-06a"},
        HTTP_HX_TARGET="threats-panel", **HX,
    )  # fmt: skip
    assert "does not pass through" in _text(nowhere)
    no_vector = monitored.release.findings.get(vulnerability_id="CVE-2020-28483")
    assert "has no CVSS v3 vector" in _text(engineer.get(f"/findings/{no_vector.pk}/threats/", **HX))


def test_advisories_kev_and_epss_are_imported_and_searched(monitored: Monitored) -> None:
    engineer, project_id = monitored.client("engineer"), monitored.release.project_id
    path = f"/projects/{project_id}/advisories/"
    again = engineer.post(path + "import/", {"file": SimpleUploadedFile("go.zip", advisories_zip())})
    shown = _text(engineer.get(again["Location"]))
    assert "go.zip: 0 new, 0 changed, 10 unchanged advisories, 0 files skipped; 0 new findings" in shown
    websocket = osv("GHSA-w", "github.com/gorilla/websocket", ecosystem="Go", fixed="1.5.0")
    found = engineer.post(path + "import/", {"file": SimpleUploadedFile("w.json", osv_bytes(websocket))})
    assert "1 new findings, 0 closed (withdrawn), 0 closed (no longer matched)." in _text(
        engineer.get(found["Location"])
    )
    withdrawn = osv(
        "GHSA-w", "github.com/gorilla/websocket", ecosystem="Go", fixed="1.5.0",
        withdrawn="2024-09-01T00:00:00Z", modified="2024-09-01T00:00:00Z",
    )  # fmt: skip
    gone = engineer.post(path + "import/", {"file": SimpleUploadedFile("w.json", osv_bytes(withdrawn))})
    shown = _text(engineer.get(gone["Location"]))
    assert "1 changed, 0 unchanged advisories, 0 files skipped; 0 new findings" in shown
    assert "1 closed (withdrawn), 0 closed (no longer matched)." in shown
    assert "0 closed (no longer matched)." in shown
    closed = monitored.release.findings.get(vulnerability_id="GHSA-w")
    assert (closed.stage, closed.vex_status) == ("not_relevant", "not_affected")
    kev = {"kind": "kev", "file": SimpleUploadedFile("kev.json", kev_json("CVE-2022-32149"))}
    done = engineer.post(f"/projects/{project_id}/exploitation/import/", kev)
    assert "KEV: 1 entries stored; 1 findings changed." in _text(engineer.get(done["Location"]))
    epss = {"kind": "epss", "file": SimpleUploadedFile("epss.csv", epss_csv(CVE_2022_32149=0.25))}
    engineer.post(f"/projects/{project_id}/exploitation/import/", epss)
    text = monitored.release.findings.get(vulnerability_id="CVE-2022-32149")
    assert (text.kev, text.epss) == (True, 0.25)
    page = _text(engineer.get(f"/findings/{text.pk}/"))
    assert "Apply the vendor&#x27;s update." in page
    assert "0.2500" in page
    search = _text(engineer.get(path, {"q": "GO-2022-06"}, **HX))
    assert 'data-advisory="GO-2022-0617"' in search
    assert "2024-08-21" in search  # withdrawn
    refused = engineer.post(
        f"/projects/{project_id}/exploitation/import/",
        {"kind": "epss", "file": SimpleUploadedFile("epss.csv", b"nothing,here\n")},
        HTTP_REFERER=path,
    )
    assert "not-epss" in _text(engineer.get(refused["Location"]))


def test_sources_are_created_and_their_sync_is_queued(monitored: Monitored, settings: Any) -> None:
    settings.OUTBOUND = {**settings.OUTBOUND, "source_directories": [str(VULN_EXAMPLES)]}

    organisation = monitored.workspace.tree.organisation
    admin = make_user()
    make_membership(admin, organisation, Role.ADMINISTRATOR)
    client = Client()
    client.force_login(admin)
    path = f"/organisations/{organisation.pk}/advisories/"
    form = {"name": "Go vulndb", "kind": "osv_path", "location": str(VULN_EXAMPLES / "advisories")}
    created = client.post(f"/organisations/{organisation.pk}/advisory-sources/", form)
    assert created["Location"] == path
    source = organisation.advisory_sources.get()
    queued = client.post(f"/advisory-sources/{source.pk}/sync/")
    assert "Sync of Go vulndb queued" in _text(client.get(queued["Location"]))
    source.refresh_from_db()
    assert source.task_id
    bad = client.post(
        f"/organisations/{organisation.pk}/advisory-sources/",
        {**form, "kind": "nvd", "name": "x"},
        HTTP_REFERER=path,
    )
    assert "needs an http(s) URL" in _text(client.get(bad["Location"]))


def test_the_portfolio_shows_every_release_a_cve_affects(monitored: Monitored) -> None:
    engineer = monitored.workspace.users["engineer"]
    services.upload_sbom(
        actor=engineer, project_id=monitored.release.project_id, name="Gateway firmware", version="1.8.0",
        raw=(VULN_EXAMPLES / "cgw-firmware-1.8.0.cdx.json").read_bytes(),
    )  # fmt: skip
    manager = monitored.client("cybersecurity_manager")
    page = _text(manager.get("/findings/", {"q": "CVE-2022-32149"}))
    assert "2 findings in 2 releases" in page
    assert "TCU firmware 4.2.0" in page
    assert "Gateway firmware 1.8.0" in page
    outsider = _text(monitored.client("no membership").get("/findings/", {"q": "CVE-2022-32149"}, **HX))
    assert "0 findings in 0 releases" in outsider


def test_notifications_count_list_and_mark_read(monitored: Monitored) -> None:
    engineer = monitored.client("engineer")
    raw = osv_bytes(osv("GHSA-x", "golang.org/x/text", ecosystem="Go", fixed="0.4.0"))
    engineer.post(
        f"/projects/{monitored.release.project_id}/advisories/import/",
        {"file": SimpleUploadedFile("x.json", raw)},
    )
    mine = Notification.objects.filter(user=monitored.workspace.users["engineer"])
    assert [n.message for n in mine] == ["1 new finding in TCU firmware 4.2.0: GHSA-x"]
    page = _text(engineer.get("/notifications/"))
    assert 'data-testid="unread-count">1<' in page
    assert f'href="/releases/{monitored.release.pk}/"' in page
    engineer.post("/notifications/read/", {"id": mine.get().pk})
    assert 'data-testid="unread-count"' not in _text(engineer.get("/notifications/?unread=1"))
    assert "No notification unread" in _text(engineer.get("/notifications/?unread=1"))
    other = Notification.objects.exclude(user=monitored.workspace.users["engineer"]).get()
    assert other.read_at is None
    assert (
        engineer.post("/notifications/read/", {"id": "x"}, HTTP_REFERER="/notifications/").status_code == 302
    )


def test_a_new_advisory_adds_its_finding_without_a_rescan(monitored: Monitored) -> None:
    engineer, release = monitored.client("engineer"), monitored.release
    count = Finding.objects.count()
    record = osv("GHSA-new", "google.golang.org/grpc", ecosystem="Go", fixed="1.99.0")
    engineer.post(
        f"/projects/{release.project_id}/advisories/import/",
        {"file": SimpleUploadedFile("n.json", osv_bytes(record))},
    )
    assert Finding.objects.count() == count + 1
    assert 'data-finding="GHSA-new"' in _text(
        engineer.get(f"/releases/{release.pk}/", {"q": "GHSA-new"}, **HX)
    )
