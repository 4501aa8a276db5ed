"""The report as one self-contained HTML file (inline CSS, no scripts), rendered with Jinja2, autoescaped."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined

from opencsms.engine.reports.json import FORMAT
from opencsms.engine.reports.palette import HEADER, RISK_COLOURS, ZEBRA
from opencsms.engine.reports.structure import Report, Table, display


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("opencsms.engine.reports", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["text"] = display
    return env


def anchors(report: Report) -> dict[str, str]:
    """Element id -> key of the table that defines it (its first column is the id), for cross-links."""
    found: dict[str, str] = {}
    for section in report.sections:
        for block in section.blocks:
            if isinstance(block, Table) and block.columns and block.columns[0].key == "id":
                for row in block.rows:
                    found.setdefault(str(row[0]), block.key)
    return found


def render_html(report: Report) -> bytes:
    errors = warnings = 0
    for row in report.section("findings").table("findings").rows:
        errors += row[0] == "error"
        warnings += row[0] == "warning"
    html = (
        _environment()
        .get_template("report.html")
        .render(
            report=report,
            anchors=anchors(report),
            errors=errors,
            warnings=warnings,
            risk_colours=RISK_COLOURS,
            header=HEADER,
            zebra=ZEBRA,
            format=FORMAT,
        )
    )
    return html.encode()
