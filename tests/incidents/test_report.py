"""The monitoring report's data (R155 7.4): the figures of a period computed from incidents, findings and
the triage audit trail, its files compared with golden files, and its refusals."""

from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import pytest
from django.utils import timezone

from opencsms.core.errors import Invalid, NotFound
from opencsms.incidents import selectors, services
from opencsms.organisation.models import Level
from opencsms.vulns import services as vulns_services
from opencsms.vulns.models import Finding
from tests.factories.core import logged_in, make_admin
from tests.factories.incidents import CRITERIA, make_incident, make_plan
from tests.golden_files import compare_golden
from tests.incidents.conftest import Team
from tests.paths import GOLDEN

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 30, 12, 0, tzinfo=dt.UTC)
GOLDEN_DIR = GOLDEN / "incidents"


def _at(monkeypatch: pytest.MonkeyPatch, when: dt.datetime) -> None:
    monkeypatch.setattr(timezone, "now", lambda: when)


def _year(team: Team, finding: Finding, monkeypatch: pytest.MonkeyPatch) -> None:
    """Three incidents in 2026 (one contained after 6 h and closed after 30 h, one with an attack, one
    low) and one in 2025; the finding triaged not affected in 2026."""
    Finding.objects.update(created_at=dt.datetime(2026, 2, 1, tzinfo=dt.UTC))  # found in February
    _at(monkeypatch, NOW)
    make_plan(team.manager, Level.PROJECT, team.project.pk)
    first = make_incident(
        team.engineer,
        finding,
        title="Exploit on left-pad",
        detected_at=dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC),
    )
    _at(monkeypatch, dt.datetime(2026, 3, 1, 14, 0, tzinfo=dt.UTC))
    services.update_incident(actor=team.engineer, incident_id=first.pk, changes={"status": "contained"})
    _at(monkeypatch, dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC))
    services.close_incident(actor=team.engineer, incident_id=first.pk, confirmed=CRITERIA, note="Fixed")
    _at(monkeypatch, NOW)
    make_incident(
        team.engineer,
        finding,
        title="CAN injection seen",
        severity="critical",
        attack_detected=True,
        attack_reports="SOC report 2026-041",
        detected_at=dt.datetime(2026, 5, 2, 9, 0, tzinfo=dt.UTC),
    )
    make_incident(
        team.engineer,
        finding,
        title="Debug port open",
        severity="low",
        detected_at=dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC),
    )
    make_incident(
        team.engineer, finding, title="Last year's", detected_at=dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
    )
    vulns_services.triage_finding(
        actor=team.engineer,
        finding_id=finding.pk,
        stage="analysed",
        vex_status="not_affected",
        justification="component_not_present",
    )


def test_the_figures_of_a_year(team: Team, finding: Finding, monkeypatch: pytest.MonkeyPatch) -> None:
    _year(team, finding, monkeypatch)
    report = selectors.monitoring_report(
        make_admin(), team.tree.organisation.pk, dt.date(2026, 1, 1), dt.date(2026, 12, 31)
    )
    figures = {f.key: f.value for f in report.figures}
    assert (figures["incidents"], figures["incidents_high"], figures["incidents_critical"]) == (3, 1, 1)
    assert (figures["incidents_now_closed"], figures["incidents_now_open"]) == (1, 2)
    assert figures["attacks_detected"] == 1
    assert (figures["median_hours_to_contain"], figures["median_hours_to_close"]) == (6.0, 30.0)
    assert (figures["findings_opened"], figures["findings_closed"]) == (3, 1)
    earlier = selectors.monitoring_report(
        make_admin(), team.tree.organisation.pk, dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    )
    assert [r.title for r in earlier.incidents] == ["Last year's"]
    assert {f.key: f.value for f in earlier.figures}["findings_closed"] == 0


def test_the_files_equal_their_golden_files(
    team: Team, finding: Finding, monkeypatch: pytest.MonkeyPatch, update_golden: bool
) -> None:
    _year(team, finding, monkeypatch)
    client = logged_in(make_admin())
    url = f"/api/v1/organisations/{team.tree.organisation.pk}/monitoring-report"
    period = {"since": "2026-01-01", "until": "2026-12-31"}
    csv_text = client.get(url, {**period, "format": "csv"}).content
    compare_golden(GOLDEN_DIR / "monitoring-2026.csv", csv_text, update_golden)
    data = client.get(url, {**period, "format": "json"}).json()
    for row in data["incidents"]:
        row["id"] = "<id>"  # ids differ between runs and databases
    compare_golden(GOLDEN_DIR / "monitoring-2026.json", _json(data), update_golden)
    book = openpyxl.load_workbook(io.BytesIO(client.get(url, {**period, "format": "xlsx"}).content))
    assert book.sheetnames == ["Figures", "Incidents"]
    figures = [[c.value for c in row] for row in book["Figures"].iter_rows(min_row=3)]
    assert figures == [[f["figure"], f["value"], f["answers"]] for f in data["figures"]]
    assert [r[1].value for r in book["Incidents"].iter_rows(min_row=2)] == [
        r["title"] for r in data["incidents"]
    ]


def _json(value: object) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode()


def test_refusals(team: Team) -> None:
    organisation = team.tree.organisation.pk
    with pytest.raises(Invalid, match="the period ends"):
        selectors.monitoring_report(make_admin(), organisation, dt.date(2026, 2, 1), dt.date(2026, 1, 1))
    with pytest.raises(Invalid, match="at most 3660"):
        selectors.monitoring_report(make_admin(), organisation, dt.date(2000, 1, 1), dt.date(2026, 1, 1))
    with pytest.raises(NotFound):  # the organisation's report is for those who may view the organisation
        selectors.monitoring_report(team.engineer, organisation, dt.date(2026, 1, 1), dt.date(2026, 1, 2))
    answer = logged_in(make_admin()).get(
        f"/api/v1/organisations/{organisation}/monitoring-report",
        {"since": "2026-01-01", "until": "2026-12-31", "format": "pdf"},
    )
    assert answer.status_code == 422


def test_an_incident_title_a_spreadsheet_would_run_is_quoted_in_the_xlsx_only(
    team: Team, finding: Finding, monkeypatch: pytest.MonkeyPatch
) -> None:
    _at(monkeypatch, NOW)
    make_plan(team.manager, Level.PROJECT, team.project.pk)
    title = '=HYPERLINK("http://evil.example","open")'
    make_incident(team.engineer, finding, title=title, detected_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC))
    report = selectors.monitoring_report(
        make_admin(), team.tree.organisation.pk, dt.date(2026, 1, 1), dt.date(2026, 12, 31)
    )
    book = openpyxl.load_workbook(io.BytesIO(selectors.report_file(report, "xlsx").content))
    assert [r[1].value for r in book["Incidents"].iter_rows(min_row=2)] == ["'" + title]
    data = json.loads(selectors.report_file(report, "json").content)
    assert [row["title"] for row in data["incidents"]] == [title]  # JSON is no spreadsheet: kept as written
