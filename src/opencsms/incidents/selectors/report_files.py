"""The monitoring report (selectors.report) as files: CSV (the figures: key, value, what it answers), XLSX
(a sheet of figures and a sheet of incidents) and JSON (both)."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook

from opencsms.incidents.selectors.report import IncidentRow, MonitoringReport

FIGURE_COLUMNS = ("figure", "value", "answers")
INCIDENT_COLUMNS = (
    "id", "title", "project", "severity", "status", "detected_at", "contained_at", "closed_at",
    "attack_detected", "findings", "releases",
)  # fmt: skip


def _cells(row: IncidentRow) -> list[Any]:
    def when(value: Any) -> str:
        return "" if value is None else value.isoformat(timespec="seconds")

    return [
        row.id, row.title, row.project, row.severity, row.status, when(row.detected_at),
        when(row.contained_at), when(row.closed_at), row.attack_detected, row.findings, row.releases,
    ]  # fmt: skip


def report_json(report: MonitoringReport) -> dict[str, Any]:
    return {
        "organisation": report.organisation.name,
        "since": report.since.isoformat(),
        "until": report.until.isoformat(),
        "figures": [{"figure": f.key, "value": f.value, "answers": f.answers} for f in report.figures],
        "incidents": [dict(zip(INCIDENT_COLUMNS, _cells(row), strict=True)) for row in report.incidents],
    }


def report_csv(report: MonitoringReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIGURE_COLUMNS)
    for figure in report.figures:
        writer.writerow(["" if v is None else v for v in (figure.key, figure.value, figure.answers)])
    return out.getvalue()


def report_xlsx(report: MonitoringReport) -> bytes:
    book = Workbook()
    figures = book.active
    assert figures is not None
    figures.title = "Figures"
    figures.append([f"{report.organisation.name}: {report.since} to {report.until} (UTC)"])
    figures.append(list(FIGURE_COLUMNS))
    for figure in report.figures:
        figures.append([figure.key, figure.value, figure.answers])
    incidents = book.create_sheet("Incidents")
    incidents.append(list(INCIDENT_COLUMNS))
    for row in report.incidents:
        incidents.append(_cells(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
