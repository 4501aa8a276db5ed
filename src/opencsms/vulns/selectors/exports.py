"""Downloads of the finding lists: a release's findings or the portfolio, filtered and sorted as the list
shows them, every page, as CSV or XLSX.

The columns are the values as stored (ids and codes, not labels, so that a spreadsheet can filter them),
with the release and project named and whether an accepted risk has expired (on the day of the download).
No cell is ever read as a formula by a spreadsheet.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

from openpyxl import Workbook

from opencsms.core.errors import Invalid
from opencsms.core.models import User
from opencsms.vulns.models import Finding
from opencsms.vulns.selectors.records import FindingFilter, findings, portfolio_findings, release

EXPORT_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run such a cell as a formula
HEAD = (
    "id", "vulnerability_id", "aliases", "severity", "score", "kev", "epss", "project", "release",
    "component", "component_version", "purl", "vex_status", "justification", "stage", "decision",
    "rationale", "accepted_until", "acceptance_expired", "owner", "due_date", "found_at",
)  # fmt: skip


@dataclass(frozen=True)
class Download:
    content: bytes
    filename: str
    media_type: str


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


def _row(f: Finding) -> list[object]:
    values: list[object] = [
        f.pk, f.vulnerability_id, " ".join(f.aliases), f.severity, f.score, f.kev, f.epss,
        f.release.project.name, str(f.release), f.component.name, f.component.version, f.component.purl,
        f.vex_status, f.justification, f.stage, f.decision, f.rationale,
        f.accepted_until.isoformat() if f.accepted_until else "", f.acceptance_expired,
        f.owner.username if f.owner else "", f.due_date.isoformat() if f.due_date else "",
        f.created_at.isoformat(timespec="seconds"),
    ]  # fmt: skip
    return [_cell(v) for v in values]


def _file(rows: Iterable[Finding], name: str, fmt: str) -> Download:
    table: list[list[object]] = [list(HEAD), *(_row(f) for f in rows)]
    return table_download(table, f"{name}-findings.{fmt}", fmt, "Findings")


def table_download(table: list[list[object]], filename: str, fmt: str, title: str) -> Download:
    """A table (its head first) as `csv` or `xlsx`, every text cell formula-safe."""
    _check(fmt)
    table = [[_cell(v) for v in row] for row in table]
    if fmt == "csv":
        buffer = io.StringIO()
        csv.writer(buffer).writerows(table)
        return Download(buffer.getvalue().encode(), filename, EXPORT_FORMATS[fmt])
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in table:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return Download(out.getvalue(), filename, EXPORT_FORMATS[fmt])


def _check(fmt: str) -> None:
    if fmt not in EXPORT_FORMATS:
        raise Invalid(f"format {fmt!r}: use one of {', '.join(EXPORT_FORMATS)}")


def release_export(user: User, release_id: int, filters: FindingFilter, fmt: str) -> Download:
    """A release's findings list (its filter and sort, every page) as `csv` or `xlsx`."""
    _check(fmt)
    found = release(user, release_id)
    rows = findings(user, release_id=found.pk, filters=filters).select_related("release__project")
    return _file(rows.iterator(chunk_size=1000), f"{found.name}-{found.version}".replace(" ", "_"), fmt)


def portfolio_export(user: User, filters: FindingFilter, organisation_id: int | None, fmt: str) -> Download:
    """The portfolio's findings (every release the user may see; its filter and sort) as `csv` or `xlsx`."""
    _check(fmt)
    rows = portfolio_findings(user, filters, organisation_id=organisation_id)
    return _file(rows.iterator(chunk_size=1000), "portfolio", fmt)
