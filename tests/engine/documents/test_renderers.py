"""A generic document in every format: golden files, the same bytes every time, and what each format shows."""

from __future__ import annotations

import json
from dataclasses import replace
from io import BytesIO

import pytest
from openpyxl import load_workbook

from opencsms.engine.documents import FORMATS, MEDIA_TYPES, Document, Theme, render
from opencsms.engine.documents.palette import ZEBRA
from tests.engine.documents.conftest import GOLDEN
from tests.golden_files import compare_golden, pdf_text


@pytest.mark.golden
@pytest.mark.parametrize("fmt", ["html", "md", "json"])
def test_formats_match_golden_files(document: Document, fmt: str, update_golden: bool) -> None:
    compare_golden(GOLDEN / f"plan.{fmt}", render(document, fmt), update_golden)


@pytest.mark.golden
def test_pdf_text_matches_the_golden_file(document: Document, update_golden: bool) -> None:
    compare_golden(GOLDEN / "plan.pdf.txt", pdf_text(render(document, "pdf")).encode(), update_golden)


@pytest.mark.parametrize("fmt", FORMATS)
def test_same_document_gives_the_same_bytes(document: Document, fmt: str) -> None:
    assert render(document, fmt) == render(document, fmt)
    assert fmt in MEDIA_TYPES


def test_unknown_format_is_refused(document: Document) -> None:
    with pytest.raises(ValueError, match="unknown document format 'docx'"):
        render(document, "docx")


def test_json_is_the_document_as_data(document: Document) -> None:
    data = json.loads(render(document, "json"))
    assert data["format"] == "example-plan/1"
    assert data["plan"] == {"id": "P-7"}  # the document's meta, at the top
    checks = data["sections"][0]["blocks"][2]
    assert checks["rows"][0]["grade"] == 1
    assert checks["rows"][0]["steps"] == ["Read", "Sign"]
    heat = data["sections"][1]["blocks"][1]
    assert heat["kind"] == "heatmap"
    assert [lv["id"] for lv in heat["efforts"]] == ["low", "high"]
    assert heat["cells"][0] == {"impact": "high", "effort": "low", "grade": 2, "count": 1}
    assert heat["total"] == 7
    assert all(b["kind"] != "figure" for s in data["sections"] for b in s["blocks"])


def test_html_shows_badges_links_and_the_picture(document: Document) -> None:
    html = render(document, "html").decode()
    assert '<span class="grade g3" title="grade 3">3</span>' in html
    assert '<span class="state s-open">open, late</span>' in html  # coloured as its first label
    assert ".g1 { background: #2E7D32; color: #FFFFFF; }" in html
    assert '<a class="id" href="#el-C-1">C-1</a>' in html
    assert '<div class="card card-s-done">' in html
    assert "<title>Check plan: Plan &lt;2024&gt;</title>" in html
    assert '<rect x="10" y="10"' in html
    assert "Policy | &lt;owner&gt;" in html
    assert "<script" not in html


def test_markdown_has_no_pictures_and_escapes_cells(document: Document) -> None:
    md = render(document, "md").decode()
    assert md.startswith("# Check plan: Plan &lt;2024&gt;\n")
    assert "Policy \\| &lt;owner&gt;" in md
    assert "<svg" not in md
    assert "| Impact \\ Effort | Low | High |" in md


def test_workbook_colours_badges_and_heads_the_first_sheet(document: Document) -> None:
    wb = load_workbook(BytesIO(render(document, "xlsx")))
    assert wb.sheetnames == ["CP-1 Checks", "Overview"]
    ws = wb["CP-1 Checks"]
    assert [ws.cell(row=r, column=1).value for r in (1, 2, 3)] == [
        "Check plan: Plan <2024>",
        "Plan: P-7",
        "Grade: 2",
    ]
    grade = next(c for c in ws["C"] if c.value == 3)
    assert grade.fill.fgColor.rgb == "00C62828"
    assert grade.alignment.horizontal == "center"
    zebra = next(c for c in ws["B"] if c.value and str(c.value).startswith("Supplier"))
    assert zebra.fill.fgColor.rgb == f"00{ZEBRA}"


def test_a_theme_dresses_the_layout(document: Document) -> None:
    theme = Theme(
        head=lambda doc: [f"# {doc.title} (themed)", ""],
        sheet_head=lambda doc: ["Themed"],
        sheet_ranks={"overview": 0},
        context=lambda doc: {"zebra": "FFFFFF"},
    )
    assert render(document, "md", theme).decode().startswith("# Plan <2024> (themed)\n\n## Contents")
    wb = load_workbook(BytesIO(render(document, "xlsx", theme)))
    assert wb.sheetnames == ["Overview", "CP-1 Checks"]
    assert wb["Overview"]["A1"].value == "Themed"
    assert "--zebra: #FFFFFF;" in render(document, "html", theme).decode()


def test_a_document_without_badges_shows_plain_values(document: Document) -> None:
    plain = replace(document, badges=())
    html = render(plain, "html").decode()
    assert '<span class="grade' not in html
    assert "<td>3</td>" in html
    assert render(plain, "pdf").startswith(b"%PDF-")
