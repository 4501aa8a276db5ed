"""The TARA report's dress over the generic document layout, so that its files stay as they have always been:
the model and method at the head of the HTML page, the Markdown file and the Summary sheet; the heat maps
under one heading with the risk legend; the Summary sheet first and Traceability, Findings and Method last;
and the architecture drawn once in the HTML, the attack path pictures reusing it.
"""

from __future__ import annotations

from collections.abc import Mapping

from opencsms.engine.documents import Document, Theme
from opencsms.engine.documents.markdown import escape
from opencsms.engine.reports.palette import RISK_COLOURS, STATUS_COLOURS
from opencsms.engine.reports.pictures import shared_svgs

SHEET_RANKS = {"summary": 0, "traceability": 2, "findings": 3, "method": 4}


def _about(document: Document) -> tuple[Mapping[str, str], Mapping[str, str]]:
    """The model (`id`, `version`, `item`) and method (`name`, `urn`, `version`) the report is of."""
    model, method = document.meta["model"], document.meta["method"]
    assert isinstance(model, Mapping)
    assert isinstance(method, Mapping)
    return model, method


def _context(document: Document) -> Mapping[str, object]:
    model, method = _about(document)
    errors = warnings = 0
    for row in document.section("findings").table("findings").rows:
        errors += row[0] == "error"
        warnings += row[0] == "warning"
    return {
        "model": model,
        "method": method,
        "errors": errors,
        "warnings": warnings,
        "risk_colours": RISK_COLOURS,
        "status_colours": STATUS_COLOURS,
    }


def markdown_head(document: Document) -> list[str]:
    model, method = _about(document)
    version = f" version {escape(model['version'])}" if model["version"] else ""
    lines = [
        f"# {document.kind}: {escape(document.title)}",
        "",
        f"Model `{model['id']}`{version} · Item: {escape(model['item'])} · "
        f"Method: {escape(method['name'])} (`{method['urn']}` {escape(method['version'])})",
        "",
    ]
    return [*lines, f"Generated: {escape(document.generated)}", ""] if document.generated else lines


def sheet_head(document: Document) -> list[str]:
    model, method = _about(document)
    version = f" version {model['version']}" if model["version"] else ""
    lines = [
        document.heading,
        f"Model {model['id']}{version}; item: {model['item']}",
        f"Method: {method['name']} ({method['urn']} {method['version']})",
    ]
    return [*lines, f"Generated: {document.generated}"] if document.generated else lines


THEME = Theme(
    templates="opencsms.engine.reports",
    template="report.html",
    context=_context,
    pictures=shared_svgs,
    head=markdown_head,
    sheet_head=sheet_head,
    sheet_ranks=SHEET_RANKS,
)
