"""Downloads of the finding lists: a release's findings or the portfolio, filtered and sorted as the list
shows them, every page, as CSV or XLSX.

The columns are the values as stored (ids and codes, not labels, so that a spreadsheet can filter them),
with the release and project named and whether an accepted risk has expired (on the day of the download).
No cell is ever read as a formula by a spreadsheet.
"""

from __future__ import annotations

from collections.abc import Iterable

from opencsms.core.models import User
from opencsms.core.spreadsheets import Download, check_format, table_file
from opencsms.vulns.models import Finding
from opencsms.vulns.selectors.records import FindingFilter, findings, portfolio_findings, release

HEAD = (
    "id", "vulnerability_id", "aliases", "severity", "score", "kev", "epss", "project", "release",
    "component", "component_version", "purl", "vex_status", "justification", "stage", "decision",
    "rationale", "accepted_until", "acceptance_expired", "owner", "due_date", "found_at",
)  # fmt: skip


def _row(f: Finding) -> list[object]:
    return [
        f.pk, f.vulnerability_id, " ".join(f.aliases), f.severity, f.score, f.kev, f.epss,
        f.release.project.name, str(f.release), f.component.name, f.component.version, f.component.purl,
        f.vex_status, f.justification, f.stage, f.decision, f.rationale,
        f.accepted_until.isoformat() if f.accepted_until else "", f.acceptance_expired,
        f.owner.username if f.owner else "", f.due_date.isoformat() if f.due_date else "",
        f.created_at.isoformat(timespec="seconds"),
    ]  # fmt: skip


def _file(rows: Iterable[Finding], name: str, fmt: str) -> Download:
    table = [HEAD, *(_row(f) for f in rows)]
    return table_file(table, filename=f"{name}-findings.{fmt}", fmt=fmt, sheet="Findings")


def release_export(user: User, release_id: int, filters: FindingFilter, fmt: str) -> Download:
    """A release's findings list (its filter and sort, every page) as `csv` or `xlsx`."""
    check_format(fmt)
    found = release(user, release_id)
    rows = findings(user, release_id=found.pk, filters=filters).select_related("release__project")
    return _file(rows.iterator(chunk_size=1000), f"{found.name}-{found.version}".replace(" ", "_"), fmt)


def portfolio_export(user: User, filters: FindingFilter, organisation_id: int | None, fmt: str) -> Download:
    """The portfolio's findings (every release the user may see; its filter and sort) as `csv` or `xlsx`."""
    check_format(fmt)
    rows = portfolio_findings(user, filters, organisation_id=organisation_id)
    return _file(rows.iterator(chunk_size=1000), "portfolio", fmt)
