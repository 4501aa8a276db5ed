"""The PDF's parts: text in the standard fonts, words wrapped to columns, rows longer than a page, widths."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from io import BytesIO

from fpdf import FPDF
from pypdf import PdfReader

from opencsms.engine.documents import Column, Document, Section, Table, render
from opencsms.engine.documents.pdf_grid import PAD, GridCell, Measure, widths
from opencsms.engine.documents.pdf_text import latin1
from tests.golden_files import pdf_text


def _measure() -> Measure:
    pdf = FPDF(orientation="landscape")
    pdf.add_page()
    return Measure(pdf)


def test_text_outside_latin1_is_written_as_typed() -> None:
    assert latin1("CELL \u2192 TCU \u2014 \u201cok\u201d \u2264 2\u2026") == 'CELL -> TCU - "ok" <= 2...'
    assert (
        latin1("Gr\u00fc\u00dfe \u00e9t\u00e9 \u00b7 \u00a7") == "Gr\u00fc\u00dfe \u00e9t\u00e9 \u00b7 \u00a7"
    )  # Latin-1 stays
    assert latin1("\u0106evap\u010di\u0107i") == "Cevapcici"  # letters with marks: the letter
    assert latin1("\u8f66\u8f86 \U0001f697") == "?? ?"


def test_words_wrap_between_words_and_long_words_are_cut() -> None:
    measure = _measure()
    width = measure.width("Supplier review", False, 7.5)
    assert measure.wrap("Supplier review of interfaces", width, False, 7.5) == [
        "Supplier review",
        "of interfaces",
    ]
    assert measure.wrap("one\ntwo", 100, False, 7.5) == ["one", "two"]
    pieces = measure.wrap("urn:opencsms:table:iso21434:risk-matrix", 20, False, 7.5)
    assert len(pieces) > 1
    assert "".join(pieces) == "urn:opencsms:table:iso21434:risk-matrix"
    assert all(measure.width(p, False, 7.5) <= 20.01 for p in pieces)


def test_narrow_tables_keep_their_width_and_wide_ones_share_the_page() -> None:
    measure = _measure()
    narrow = [[GridCell("ID", True), GridCell("Name", True)], [GridCell("C-1"), GridCell("Policy")]]
    found = widths(measure, narrow, 277, 7.5)
    assert sum(found) < 60
    assert found[1] >= measure.width("Policy", False, 7.5) + 2 * PAD
    wide = [[GridCell(f"A rather long text in column {i} " * 6) for i in range(10)]]
    shared = widths(measure, wide, 277, 7.5)
    assert abs(sum(shared) - 277) < 0.01


def _long_document() -> Document:
    text = " ".join(f"word{i}" for i in range(4000))
    rows = tuple((f"R-{i}", text if i == 1 else f"row {i}") for i in range(60))
    table = Table("rows", "Rows", (Column("id", "ID", "id"), Column("text", "Text")), rows)
    return Document("Long", (Section("s", "Long rows", "Long", "", "A cell taller than a page.", (table,)),))


def test_rows_break_across_pages_with_the_header_repeated() -> None:
    pdf = render(_long_document(), "pdf")
    pages = PdfReader(BytesIO(pdf)).pages
    assert len(pages) > 4
    text = pdf_text(pdf)
    assert "word3999" in text
    assert "R-59" in text
    assert all(page.extract_text().count("ID Text") == 1 for page in pages[1:])  # the header on every page


def test_pdf_is_dated_by_the_document() -> None:
    document = replace(_long_document(), generated="2031-02-03T04:05:06")
    meta = PdfReader(BytesIO(render(document, "pdf"))).metadata
    assert meta is not None
    assert meta.creation_date == datetime(2031, 2, 3, 4, 5, 6, tzinfo=UTC)
    assert meta.title == "Long"
    assert meta.creator == "OpenCSMS"
