"""TARA reports: one format-neutral report (`content.build_report`) laid out as HTML, XLSX, JSON, Markdown or
PDF by `engine.documents`.

    render(result, "html") -> bytes

Every format says the same thing because `build_report` turns a `TaraResult` into one document
(ISO/SAE 21434:2021 work products WP-09-01, WP-15-01..08, WP-09-03, WP-09-04, WP-09-06, and UN R155
Annex 5 coverage) and every renderer only lays it out; `theme.THEME` keeps the report's own front matter.
The HTML and the PDF add the pictures (the architecture, and the best attack path to each asset's
component on it); the tables beside them carry the same content in every format. Output is
deterministic: no timestamp unless `generated` is given.
"""

from __future__ import annotations

from datetime import datetime

from opencsms.engine import documents
from opencsms.engine.documents import FORMATS, MEDIA_TYPES, Document, DocumentControl
from opencsms.engine.reports.content import FORMAT, build_report
from opencsms.engine.reports.theme import THEME
from opencsms.engine.tara.result import TaraResult

Report = Document  # a TARA report is a document


def render(
    result: TaraResult,
    fmt: str,
    *,
    generated: datetime | None = None,
    control: DocumentControl | None = None,
) -> bytes:
    """The TARA report of `result` in format `fmt` (one of `FORMATS`); `generated` is printed if given,
    and `control` (which version of which TARA it is) as the document control block at the head."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}; expected one of {', '.join(FORMATS)}")
    stamp = generated.isoformat(timespec="seconds") if generated is not None else None
    return documents.render(build_report(result, stamp, control), fmt, THEME)


__all__ = ["FORMAT", "FORMATS", "MEDIA_TYPES", "DocumentControl", "Report", "build_report", "render"]
