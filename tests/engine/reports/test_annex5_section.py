"""The UN R155 Annex 5 coverage section: rows equal to `annex5_coverage()`, counts, statuses and their
colours in HTML and XLSX, and the same section in Markdown and JSON."""

from __future__ import annotations

import json
import re
from io import BytesIO

import pytest
from openpyxl import load_workbook

from opencsms.engine import TaraResult
from opencsms.engine.documents import Facts, Section, Table
from opencsms.engine.reports import Report, render
from opencsms.engine.reports.coverage import STATUS_LABELS, summary_line
from opencsms.engine.reports.palette import STATUS_COLOURS, status_class
from opencsms.engine.tara.coverage import Annex5Coverage, annex5_coverage


@pytest.fixture(scope="module")
def coverage(result: TaraResult) -> Annex5Coverage:
    return annex5_coverage(result.model)


@pytest.fixture(scope="module")
def section(report: Report) -> Section:
    return report.section("annex5")


def _rows(table: Table) -> list[dict[str, object]]:
    return [dict(zip((c.key for c in table.columns), row, strict=True)) for row in table.rows]


def test_section_follows_the_concept_and_cites_r155(report: Report, section: Section) -> None:
    ids = [s.id for s in report.sections]
    assert ids.index("annex5") == ids.index("WP-09-06") + 1
    assert (section.standard, section.clause, section.work_product) == ("UN R155", "7.3.3, 7.3.4", False)


def test_threat_rows_equal_the_coverage(coverage: Annex5Coverage, section: Section) -> None:
    rows = _rows(section.table("annex5-threats"))
    assert [r["id"] for r in rows] == [t.id for t in coverage.threats]
    for row, t in zip(rows, coverage.threats, strict=True):
        assert row["status"] == STATUS_LABELS[t.status]
        assert row["threats"] == t.threats
        assert row["rationale"] == t.rationale
        assert row["category"] == t.category
        assert row["summary"] == t.summary
        assert row["required"] == ("yes" if t.required else "draft, optional")


def test_statuses_of_the_small_model(section: Section) -> None:
    rows = {r["id"]: r for r in _rows(section.table("annex5-threats"))}
    assert (rows["6.1"]["status"], rows["6.1"]["threats"]) == ("covered", ("TS-1",))
    assert (rows["18.3"]["status"], rows["18.3"]["threats"]) == ("pending review", ("TS-5",))  # proposed
    assert rows["1.1"]["status"] == "not applicable"
    assert rows["1.1"]["rationale"] == "The item has no back-end server"
    assert rows["24.1"]["status"] == "uncovered"  # only the merged TS-7 names it
    assert rows["7.2"]["status"] == "uncovered"  # only the obsolete TS-8 names it
    assert rows["11.1"]["threats"] == ("TS-1",)  # not the rejected TS-6
    assert rows["14.1"]["required"] == "draft, optional"
    assert rows["6.1"]["mitigations"] == ("M10",)


def test_mitigation_rows_equal_the_coverage(coverage: Annex5Coverage, section: Section) -> None:
    rows = _rows(section.table("annex5-mitigations"))
    assert [(r["id"], r["status"], r["controls"], r["rationale"]) for r in rows] == [
        (m.id, STATUS_LABELS[m.status], m.controls, m.rationale) for m in coverage.mitigations
    ]
    by_id = {r["id"]: r for r in rows}
    assert (by_id["M10"]["status"], by_id["M10"]["controls"]) == ("implemented", ("CTL-1",))
    assert (by_id["M18"]["status"], by_id["M18"]["controls"]) == ("implemented", ("CTL-2",))
    assert (by_id["M1"]["status"], by_id["M1"]["rationale"]) == (
        "not applicable",
        "No back-end server in the item",
    )
    assert by_id["M2"]["status"] == "missing"
    assert by_id["M3"]["part"] == "B, C"
    assert "2.1" in by_id["M3"]["threats"]  # type: ignore[operator]


def test_counts_and_summary(coverage: Annex5Coverage, section: Section) -> None:
    cards = section.blocks[0]
    assert isinstance(cards, Facts)
    assert cards.cards
    values = {f.label: f.value for f in cards.facts}
    assert values == {
        "Required threats": 70,
        "Covered": 3,
        "Not applicable": 2,
        "Pending review": 1,
        "Uncovered": 64,
        "Mitigations realised": "2 of 23",
    }
    assert values["Required threats"] == coverage.required
    assert sum(coverage.count(s) for s in ("covered", "not_applicable", "pending", "uncovered")) == 70
    assert summary_line(coverage) in section.intro
    assert summary_line(coverage) == (
        "3 of 70 required threats covered, 2 not applicable, 1 pending review, 64 uncovered; "
        "2 of 23 mitigations realised by controls, 1 not applicable, 20 missing."
    )


def test_categories_add_up(coverage: Annex5Coverage, section: Section) -> None:
    rows = _rows(section.table("annex5-categories"))
    assert [r["category"] for r in rows] == ["4.3.1", "4.3.2", "4.3.3", "4.3.4", "4.3.5", "4.3.6", "4.3.7"]
    assert sum(r["required"] for r in rows) == coverage.required  # type: ignore[misc]
    for key, status in (("covered", "covered"), ("pending", "pending"), ("uncovered", "uncovered")):
        assert sum(r[key] for r in rows) == coverage.count(status)  # type: ignore[misc]
    first = rows[0]
    assert (first["required"], first["not_applicable"]) == (9, 1)  # 1.1 is not applicable
    assert all(
        r["required"] == sum(r[s] for s in ("covered", "not_applicable", "pending", "uncovered"))  # type: ignore[misc]
        for r in rows
    )


def test_html_colours_each_status(result: TaraResult) -> None:
    html = render(result, "html").decode()
    part = html[html.index('<section class="part" id="annex5">') :]
    part = part[: part.index("</section>")]
    assert "UN R155 &sect;7.3.3, 7.3.4" in part
    badges = re.findall(r'<span class="state (st-[a-z-]+)">([a-z ]+)</span>', part)
    assert {label for _, label in badges} == {
        "covered",
        "pending review",
        "not applicable",
        "uncovered",
        "implemented",
        "missing",
    }
    assert all(css == status_class(label) for css, label in badges)
    assert ".st-covered { background: #2E7D32; color: #FFFFFF; }" in html
    assert ".st-uncovered { background: #C62828;" in html
    assert ".st-pending-review { background: #FBC02D;" in html
    assert ".st-not-applicable { background: #CFD6DE;" in html
    assert '<a class="id" href="#el-M10">M10</a>' in html  # the controls table links to the mitigation


def test_xlsx_sheet_fills_the_status_cells(result: TaraResult) -> None:
    ws = load_workbook(BytesIO(render(result, "xlsx")))["R155 Annex 5"]
    header = next(r for r in ws.iter_rows() if r[0].value == "R155 Annex 5")
    status_col = next(c.column for c in header if c.value == "Status")
    start = header[0].row
    assert start is not None
    fills = {}
    for row in ws.iter_rows(min_row=start + 1):
        cell = row[status_col - 1]
        if cell.value is None:
            break
        fills[cell.value] = cell.fill.fgColor.rgb
    assert fills == {
        label: f"00{STATUS_COLOURS[label][0]}"
        for label in ("covered", "pending review", "not applicable", "uncovered")
    }


def test_markdown_and_json_carry_the_section(result: TaraResult) -> None:
    md = render(result, "md").decode()
    assert "## UN R155 Annex 5 coverage" in md
    assert "_UN R155 7.3.3, 7.3.4._" in md
    assert "| 18.3 | 4.3.5 |" in md
    assert "| pending review | TS-5 | M22 |  |" in md
    data = json.loads(render(result, "json"))
    section = next(s for s in data["sections"] if s["id"] == "annex5")
    assert section["standard"] == "UN R155"
    threats = next(b for b in section["blocks"] if b["key"] == "annex5-threats")
    assert {r["id"]: r["status"] for r in threats["rows"]}["1.1"] == "not applicable"
    assert threats["columns"][4] == {"key": "status", "kind": "status", "title": "Status"}
