"""TARA reports: one format-neutral report (`content.build_report`) laid out as HTML, XLSX, JSON or Markdown.

    render(result, "html") -> bytes

Every format says the same thing because every renderer only lays out the structure that
`build_report` derives from a `TaraResult` (ISO/SAE 21434:2021 work products WP-09-01, WP-15-01..08,
WP-09-03, WP-09-04, WP-09-06, and UN R155 Annex 5 coverage). The HTML adds inline SVG pictures (the
architecture, and the best attack path to each asset's component on it); the tables beside them carry
the same content in every format. Output is deterministic: no timestamp unless `generated` is given.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from opencsms.engine.reports.content import build_report
from opencsms.engine.reports.html import render_html
from opencsms.engine.reports.json import FORMAT, render_json
from opencsms.engine.reports.markdown import render_markdown
from opencsms.engine.reports.structure import Report
from opencsms.engine.reports.xlsx import render_xlsx
from opencsms.engine.tara.result import TaraResult

FORMATS = ("html", "xlsx", "json", "md")
MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "md": "text/markdown; charset=utf-8",
}
_RENDERERS: dict[str, Callable[[Report], bytes]] = {
    "html": render_html,
    "xlsx": render_xlsx,
    "json": render_json,
    "md": render_markdown,
}


def render(result: TaraResult, fmt: str, *, generated: datetime | None = None) -> bytes:
    """The TARA report of `result` in format `fmt` (one of `FORMATS`); `generated` is printed if given."""
    if fmt not in _RENDERERS:
        raise ValueError(f"unknown report format {fmt!r}; expected one of {', '.join(FORMATS)}")
    stamp = generated.isoformat(timespec="seconds") if generated is not None else None
    return _RENDERERS[fmt](build_report(result, stamp))


__all__ = ["FORMAT", "FORMATS", "MEDIA_TYPES", "Report", "build_report", "render"]
