"""Tables as downloadable files: one `cell` rule for every export (a text a spreadsheet would run as a formula
is quoted, CSV injection) and one way to write a table as CSV or XLSX, named and typed for the response."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from openpyxl import Workbook

from opencsms.core.errors import Invalid

TABLE_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run such a cell as a formula


@dataclass(frozen=True)
class Download:
    content: bytes
    filename: str
    media_type: str


def cell(value: object) -> object:
    """A value as an export writes it: None as empty, a text a spreadsheet would evaluate quoted with `'`."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def check_format(fmt: str) -> None:
    if fmt not in TABLE_FORMATS:
        raise Invalid(f"format {fmt!r}: use one of {', '.join(TABLE_FORMATS)}")


def table_file(rows: Iterable[Sequence[object]], *, filename: str, fmt: str, sheet: str) -> Download:
    """`rows` (the head first) as `csv` or `xlsx`, each value through `cell`; `sheet` names the XLSX sheet."""
    check_format(fmt)
    cells = ([cell(v) for v in row] for row in rows)
    if fmt == "csv":
        buffer = io.StringIO()
        csv.writer(buffer).writerows(cells)
        return Download(buffer.getvalue().encode(), filename, TABLE_FORMATS[fmt])
    book = Workbook()
    page = book.active
    assert page is not None
    page.title = sheet[:31]  # the longest name XLSX allows
    for row in cells:
        page.append(row)
    out = io.BytesIO()
    book.save(out)
    return Download(out.getvalue(), filename, TABLE_FORMATS[fmt])
