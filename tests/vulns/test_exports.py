"""CSV and XLSX downloads of the finding lists: a release's and the portfolio's, filtered and sorted like
the list, every page, formula-safe; the API's release download."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from opencsms.vulns import services
from opencsms.vulns.models import Finding
from opencsms.vulns.selectors.exports import HEAD
from tests.vulns.conftest import Team, pads_release

pytestmark = pytest.mark.django_db


def _csv(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode())))


def _client(team: Team) -> Client:
    client = Client()
    client.force_login(team.engineer)
    return client


def test_the_release_list_downloads_as_csv_with_its_filter_and_sort(team: Team) -> None:
    release = pads_release(team)
    finding = Finding.objects.get(release=release, vulnerability_id="CVE-2024-1")
    until = timezone.localdate() + dt.timedelta(days=10)
    services.triage_finding(
        actor=team.engineer, finding_id=finding.pk, vex_status="affected", decision="accept",
        rationale="=HYPERLINK(\"x\") low exposure", accepted_until=until,
    )  # fmt: skip
    response = _client(team).get(f"/releases/{release.pk}/findings.csv", {"sort": "vulnerability_id"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="ecu-1.0-findings.csv"'
    rows = _csv(response.content)
    assert list(rows[0]) == list(HEAD)
    assert [r["vulnerability_id"] for r in rows] == ["CVE-2024-1", "GHSA-2", "GHSA-3"]
    first = rows[0]
    assert (first["aliases"], first["severity"], first["release"], first["component"]) == (
        "GHSA-1", "CRITICAL", "ecu 1.0", "left-pad",
    )  # fmt: skip
    assert (first["decision"], first["accepted_until"], first["acceptance_expired"]) == (
        "accept", until.isoformat(), "False",
    )  # fmt: skip
    assert first["rationale"] == '\'=HYPERLINK("x") low exposure'  # never a formula
    medium = _client(team).get(f"/releases/{release.pk}/findings.csv", {"severity": "MEDIUM", "page": "2"})
    assert [r["vulnerability_id"] for r in _csv(medium.content)] == ["GHSA-2"]  # the filter, every page


def test_xlsx_holds_the_same_rows(team: Team) -> None:
    release = pads_release(team)
    response = _client(team).get(f"/releases/{release.pk}/findings.xlsx", {"sort": "vulnerability_id"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == list(HEAD)
    assert [row[1] for row in values[1:]] == ["CVE-2024-1", "GHSA-2", "GHSA-3"]


def test_the_portfolio_downloads_every_release_the_user_sees(team: Team) -> None:
    pads_release(team)
    pads_release(team, version="2.0")
    rows = _csv(_client(team).get("/findings/export.csv", {"q": "GHSA-2"}).content)
    assert sorted(r["release"] for r in rows) == ["ecu 1.0", "ecu 2.0"]
    assert {r["project"] for r in rows} == {team.project.name}
    outsider = Client()
    outsider.force_login(team.outsider)
    assert _csv(outsider.get("/findings/export.csv").content) == []


def test_an_unknown_format_is_refused(team: Team) -> None:
    release = pads_release(team)
    client = _client(team)
    refused = client.get(f"/api/v1/releases/{release.pk}/findings/export", {"format": "pdf"})
    assert refused.status_code == 422
    assert refused.json()["detail"] == "format 'pdf': use one of csv, xlsx"
    done = client.get(f"/api/v1/releases/{release.pk}/findings/export", {"format": "csv", "kev": "false"})
    assert [r["vulnerability_id"] for r in _csv(done.content)] == ["CVE-2024-1", "GHSA-2", "GHSA-3"]
