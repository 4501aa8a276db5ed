"""The traceability matrix as a file: CSV, an XLSX workbook or Markdown (the last two through
`engine.documents`, so they look like the other documents), or plain data for JSON."""

from __future__ import annotations

import csv
import io
from typing import Any

from opencsms.engine.documents import Column, Document, Section, Table, render
from opencsms.engine.tara.traceability import COLUMNS, Traceability, TraceRow

TRACE_FORMATS = ("csv", "xlsx", "md")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "md": "text/markdown; charset=utf-8",
}
_HEAD = [title for _, title in COLUMNS] + ["Gap"]


def _cells(row: TraceRow) -> list[str]:
    return [cell.ref if cell else "" for cell in row.cells] + [row.gap.message if row.gap else ""]


def _csv(trace: Traceability) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_HEAD)
    writer.writerows(_cells(row) for row in trace.rows)
    return out.getvalue().encode()


def _document(trace: Traceability) -> Document:
    columns = (*(Column(key, title) for key, title in COLUMNS), Column("gap", "Gap"))
    matrix = Table("matrix", "Traceability matrix", columns, tuple(tuple(_cells(r)) for r in trace.rows))
    gaps = Table(
        "gaps",
        "Gaps",
        (Column("element", "Element"), Column("gap", "Gap")),
        tuple((gap.ref, gap.message) for gap in trace.gaps),
        note="" if trace.gaps else "No gaps: every chain reaches a control or a claim.",
    )
    section = Section(
        id="TRACE",
        title="Traceability",
        short_title="Traceability",
        clause="9.4, 9.5, 15.3-15.9",
        intro="Asset -> damage scenario -> threat scenario -> goal or claim -> requirement -> control; "
        "a row cut short where a link is missing names the gap.",
        blocks=(matrix, gaps),
        work_product=False,
        standard="ISO/SAE 21434:2021",
    )
    return Document(title=trace.name, sections=(section,), kind="Traceability")


def trace_data(trace: Traceability) -> dict[str, Any]:
    """The matrix as plain data (the API's JSON)."""
    return {
        "tara": trace.tara,
        "columns": [key for key, _ in COLUMNS],
        "rows": [
            {
                "cells": [{"kind": c.kind, "ref": c.ref, "name": c.name} if c else None for c in row.cells],
                "gap": row.gap.message if row.gap else None,
            }
            for row in trace.rows
        ],
        "gaps": [
            {"kind": g.kind, "ref": g.ref, "missing": g.missing, "message": g.message} for g in trace.gaps
        ],
    }


def render_trace(trace: Traceability, fmt: str) -> bytes:
    """The matrix in format `fmt` (one of `TRACE_FORMATS`)."""
    if fmt == "csv":
        return _csv(trace)
    if fmt in TRACE_FORMATS:
        return render(_document(trace), fmt)
    raise ValueError(f"unknown traceability format {fmt!r}; expected one of {', '.join(TRACE_FORMATS)}")
