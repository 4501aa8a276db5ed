"""The advisory detail page: its records, aliases, severity with its source, affected ranges and the
findings it produced (only in the releases the reader may see); linked from the advisory list and from
every finding's evidence."""

from __future__ import annotations

import re

import pytest

from opencsms.vulns.models import Finding
from tests.factories.workspace import Monitored

pytestmark = pytest.mark.django_db

GIN = "CVE-2020-28483"


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_page_shows_the_advisory_and_its_findings(monitored: Monitored) -> None:
    project_id = monitored.release.project_id
    engineer = monitored.client("engineer")
    response = engineer.get(f"/projects/{project_id}/advisories/GO-2021-0052/")
    assert response.status_code == 200
    text = _text(response.content.decode())
    assert "Aliases CVE-2020-28483, GHSA-h395-qcrw-5vmq" in text
    assert "Inconsistent interpretation of HTTP Requests in github.com/gin-gonic/gin" in text
    assert "golang/github.com/gin-gonic/gin (Go)" in text
    assert "SEMVER: introduced 0, fixed 1.7.7" in text
    assert "This record gives no severity." in text  # Go's records carry no CVSS
    finding = Finding.objects.get(release=monitored.release, vulnerability_id=GIN)
    assert "1 finding in the releases you may see" in text
    assert f'href="/findings/{finding.pk}/"' in response.content.decode()


def test_severity_is_shown_with_its_source(monitored: Monitored) -> None:
    project_id = monitored.release.project_id
    response = monitored.client("engineer").get(f"/projects/{project_id}/advisories/EXAMPLE-2026-0001/")
    text = _text(response.content.decode())
    vector = next(s for s in monitored.finding.vectors)
    assert f"CVSS_V3 {vector} 9.8 critical OSV" in text.replace("CRITICAL", "critical")


def test_it_is_linked_from_the_list_and_the_evidence(monitored: Monitored) -> None:
    project_id = monitored.release.project_id
    engineer = monitored.client("engineer")
    listed = engineer.get(f"/projects/{project_id}/advisories/", {"q": "GO-2021-0052"}).content.decode()
    assert f'href="/projects/{project_id}/advisories/GO-2021-0052/"' in listed
    finding = Finding.objects.get(release=monitored.release, vulnerability_id=GIN)
    page = engineer.get(f"/findings/{finding.pk}/").content.decode()
    assert f'href="/projects/{project_id}/advisories/GO-2021-0052/"' in page


def test_an_advisory_the_mirror_lacks_is_404(monitored: Monitored) -> None:
    project_id = monitored.release.project_id
    assert (
        monitored.client("engineer").get(f"/projects/{project_id}/advisories/GO-1999-0000/").status_code
        == 404
    )


def test_the_api_gives_the_same_advisory(monitored: Monitored) -> None:
    project = monitored.release.project
    engineer = monitored.client("engineer")
    got = engineer.get(f"/api/v1/projects/{project.pk}/advisories/GO-2021-0052")
    assert got.status_code == 200, got.content
    body = got.json()
    assert (body["advisory_id"], body["aliases"], body["finding_count"]) == (
        "GO-2021-0052", ["CVE-2020-28483", "GHSA-h395-qcrw-5vmq"], 1,
    )  # fmt: skip
    finding = Finding.objects.get(release=monitored.release, vulnerability_id=GIN)
    expected = {"id": finding.pk, "vulnerability_id": GIN, "release_id": monitored.release.pk}
    expected |= {"project_id": project.pk, "component": "github.com/gin-gonic/gin"}
    assert body["findings"] == [expected | {"vex_status": "under_investigation"}]
    assert body["records"][0]["affected"][0]["ranges"][0]["events"] == [
        {"kind": "introduced", "version": "0"}, {"kind": "fixed", "version": "1.7.7"},
    ]  # fmt: skip
    missing = engineer.get(f"/api/v1/projects/{project.pk}/advisories/GO-1999-0000")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "no advisory GO-1999-0000 in the mirror of Acme"
