"""The monitoring report (selectors.report) as files: CSV (the figures: key, value, what it answers), XLSX
(a sheet of figures and a sheet of incidents) and JSON (both)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from openpyxl import Workbook

from opencsms.core.errors import Invalid
from opencsms.core.spreadsheets import TABLE_FORMATS, Download, cell
from opencsms.incidents.selectors.report import REPORT_FORMATS, IncidentRow, MonitoringReport

FIGURE_COLUMNS = ("figure", "value", "answers")
INCIDENT_COLUMNS = (
    "id", "title", "project", "severity", "status", "detected_at", "contained_at", "closed_at",
    "attack_detected", "findings", "releases",
)  # fmt: skip


def _values(row: IncidentRow) -> list[Any]:
    def when(value: Any) -> str:
        return "" if value is None else value.isoformat(timespec="seconds")

    return [
        row.id, row.title, row.project, row.severity, row.status, when(row.detected_at),
        when(row.contained_at), when(row.closed_at), row.attack_detected, row.findings, row.releases,
    ]  # fmt: skip


def _json(report: MonitoringReport) -> dict[str, Any]:
    return {
        "organisation": report.organisation.name,
        "since": report.since.isoformat(),
        "until": report.until.isoformat(),
        "figures": [{"figure": f.key, "value": f.value, "answers": f.answers} for f in report.figures],
        "incidents": [dict(zip(INCIDENT_COLUMNS, _values(row), strict=True)) for row in report.incidents],
    }


def _csv(report: MonitoringReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIGURE_COLUMNS)
    for figure in report.figures:
        writer.writerow([cell(v) for v in (figure.key, figure.value, figure.answers)])
    return out.getvalue()


def _xlsx(report: MonitoringReport) -> bytes:
    book = Workbook()
    figures = book.active
    assert figures is not None
    figures.title = "Figures"
    figures.append([f"{report.organisation.name}: {report.since} to {report.until} (UTC)"])
    figures.append(list(FIGURE_COLUMNS))
    for figure in report.figures:
        figures.append([cell(v) for v in (figure.key, figure.value, figure.answers)])
    incidents = book.create_sheet("Incidents")
    incidents.append(list(INCIDENT_COLUMNS))
    for row in report.incidents:
        incidents.append([cell(v) for v in _values(row)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


REPORT_MEDIA_TYPES = {"json": "application/json", **TABLE_FORMATS}


def report_file(report: MonitoringReport, fmt: str) -> Download:
    """The report as a download in `fmt` (json, csv or xlsx), named after the organisation and the period."""
    if fmt not in REPORT_FORMATS:
        raise Invalid(f"format {fmt!r}: use one of {', '.join(REPORT_FORMATS)}")
    name = f"monitoring-{report.organisation.name}-{report.since}-{report.until}.{fmt}"
    if fmt == "csv":
        content = _csv(report).encode()
    elif fmt == "xlsx":
        content = _xlsx(report)
    else:
        content = json.dumps(_json(report), indent=2, ensure_ascii=False).encode()
    return Download(content, name, REPORT_MEDIA_TYPES[fmt])
