"""Format-neutral documents and their renderers: HTML, XLSX, JSON, Markdown and PDF.

    render(document, "pdf") -> bytes

A producer (the TARA report, a compliance package, a work product) builds one `Document` of sections,
tables, facts, heat maps and figures; every renderer only lays it out, so the formats always say the same
thing. HTML and PDF also show the figures' pictures (SVG); the tables beside them carry the same content
in every format. A `Theme` lets a producer dress the generic layout (its HTML page, the head of its
Markdown and of its workbook). Nothing here knows what a document is about. Output is deterministic: no
timestamp unless the document says when it was generated.
"""

from __future__ import annotations

from collections.abc import Callable

from opencsms.engine.documents.html import render_html
from opencsms.engine.documents.json import render_json
from opencsms.engine.documents.markdown import render_markdown
from opencsms.engine.documents.model import (
    Axis,
    Badge,
    Block,
    Cell,
    Column,
    Document,
    DocumentControl,
    Fact,
    Facts,
    Figure,
    HeatCell,
    HeatMap,
    Level,
    Picture,
    Section,
    Svg,
    Table,
    display,
)
from opencsms.engine.documents.theme import PLAIN, Theme
from opencsms.engine.documents.xlsx import render_xlsx

FORMATS = ("html", "xlsx", "json", "md", "pdf")
MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "md": "text/markdown; charset=utf-8",
    "pdf": "application/pdf",
}
_RENDERERS: dict[str, Callable[[Document, Theme], bytes]] = {
    "html": render_html,
    "xlsx": render_xlsx,
    "json": lambda document, _theme: render_json(document),
    "md": render_markdown,
    "pdf": lambda document, _theme: _pdf(document),
}


def _pdf(document: Document) -> bytes:
    """The PDF renderer is imported on first use: its library is the slowest to load."""
    from opencsms.engine.documents.pdf import render_pdf  # noqa: PLC0415

    return render_pdf(document)


def render(document: Document, fmt: str, theme: Theme = PLAIN) -> bytes:
    """`document` in format `fmt` (one of `FORMATS`), dressed by `theme`."""
    if fmt not in _RENDERERS:
        raise ValueError(f"unknown document format {fmt!r}; expected one of {', '.join(FORMATS)}")
    return _RENDERERS[fmt](document, theme)


__all__ = [
    "FORMATS",
    "MEDIA_TYPES",
    "PLAIN",
    "Axis",
    "Badge",
    "Block",
    "Cell",
    "Column",
    "Document",
    "DocumentControl",
    "Fact",
    "Facts",
    "Figure",
    "HeatCell",
    "HeatMap",
    "Level",
    "Picture",
    "Section",
    "Svg",
    "Table",
    "Theme",
    "display",
    "render",
]
