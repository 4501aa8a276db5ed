"""The report as one self-contained HTML file (inline CSS and SVG, no scripts), rendered with Jinja2."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from opencsms.engine.reports.json import FORMAT
from opencsms.engine.reports.palette import HEADER, RISK_COLOURS, STATUS_COLOURS, ZEBRA, status_class
from opencsms.engine.reports.pictures import figure_svgs
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
    env.filters["status"] = status_class
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


def figures(report: Report) -> dict[str, Markup]:
    """The inline SVG of every picture of the report, by figure key (model text in them is escaped)."""
    svgs = figure_svgs(f for s in report.sections for f in s.figures)
    return {key: Markup(svg) for key, svg in svgs.items()}  # noqa: S704 - built from escaped parts


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
            figures=figures(report),
            risk_colours=RISK_COLOURS,
            status_colours=STATUS_COLOURS,
            header=HEADER,
            zebra=ZEBRA,
            format=FORMAT,
        )
    )
    return html.encode()
