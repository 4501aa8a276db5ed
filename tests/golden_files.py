"""Compare output with a golden file under tests/golden/, or rewrite it with `pytest --update-golden`."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

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


def pdf_text(pdf: bytes) -> str:
    """The text of every page of a PDF as pypdf reads it, each page under a line with its number: PDFs are
    compared with golden files by what they say, which does not change with the library's byte layout."""
    pages = PdfReader(BytesIO(pdf)).pages
    return "".join(f"--- page {i}\n{page.extract_text()}\n" for i, page in enumerate(pages, 1))
