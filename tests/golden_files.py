"""Compare output with a golden file under tests/golden/, or rewrite it with `pytest --update-golden`."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader


def compare_golden(path: Path, actual: bytes, update: bool) -> None:
    """Fail with the first differing line unless `actual` equals the golden file at `path`."""
    if update:
        path.write_bytes(actual)
        return
    assert path.exists(), f"no golden file {path}; run pytest --update-golden"
    expected = path.read_bytes()
    if actual != expected:
        a, e = actual.decode().splitlines(), expected.decode().splitlines()
        first = next((i for i, (x, y) in enumerate(zip(a, e, strict=False)) if x != y), min(len(a), len(e)))
        want = e[first] if first < len(e) else "<end>"
        got = a[first] if first < len(a) else "<end>"
        pytest.fail(
            f"{path.name} differs from the golden file at line {first + 1} (run pytest --update-golden):\n"
            f"  expected: {want}\n  actual:   {got}"
        )


def pdf_text(pdf: bytes, first: int | None = None) -> str:
    """The text of every page of a PDF (or of the `first` pages) as pypdf reads it, each page under a line
    with its number: PDFs are compared with golden files by what they say, which does not change with the
    library's byte layout. Reading a page costs time: a test of the cover reads the cover only."""
    pages = PdfReader(BytesIO(pdf)).pages[:first]
    return "".join(f"--- page {i}\n{page.extract_text()}\n" for i, page in enumerate(pages, 1))


def readable_text(raw: bytes, fmt: str, first_pages: int | None = None) -> str:
    """What a person reads in a downloaded document: the text of a PDF, every cell of a workbook (one a
    line), else the file as text (HTML, Markdown, JSON)."""
    if fmt == "pdf":
        return pdf_text(raw, first_pages)
    if fmt == "xlsx":
        book = openpyxl.load_workbook(BytesIO(raw))
        cells = (c.value for ws in book.worksheets for row in ws.iter_rows() for c in row)
        return "\n".join(str(v) for v in cells if v is not None)
    return raw.decode()
