"""The XLSX report: the sheets an auditor expects, their headers, values and colours, deterministic bytes."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from opencsms.engine import TaraResult, evaluate
from opencsms.engine.catalogue import work_products
from opencsms.engine.documents.palette import HEADER, tint
from opencsms.engine.reports import render
from opencsms.engine.reports.palette import RISK_COLOURS


@pytest.fixture(scope="module")
def workbook(result: TaraResult) -> Workbook:
    return load_workbook(BytesIO(render(result, "xlsx")))


def _header_row(ws: Worksheet, first: str) -> int:
    return next(int(c.row) for c in ws["A"] if c.value == first and c.row is not None)


def _rows(ws: Worksheet, first: str) -> tuple[list[str], list[tuple[object, ...]]]:
    """The header and the rows of the table whose header starts with `first` (down to a blank row)."""
    start = _header_row(ws, first)
    header = [c.value for c in ws[start] if c.value is not None]
    rows: list[tuple[object, ...]] = []
    for row in ws.iter_rows(min_row=start + 1, max_col=len(header), values_only=True):
        if row[0] is None:
            break
        rows.append(row)
    return [str(h) for h in header], rows


def test_sheets_summary_first_then_work_products_then_support(workbook: Workbook) -> None:
    wps = list(work_products().work_products)
    names = workbook.sheetnames
    assert names[0] == "Summary"
    assert [n.split(" ")[0] for n in names[1 : 1 + len(wps)]] == [wp.id for wp in wps]
    assert names[-3:] == ["Traceability", "Findings", "Method"]
    assert "WP-15-02 Assets" in names
    assert "WP-15-07 Risk values" in names
    assert all(len(n) <= 31 for n in names)


def test_risk_values_equal_the_result(result: TaraResult, workbook: Workbook) -> None:
    header, rows = _rows(workbook["WP-15-07 Risk values"], "Threat scenario")
    assert header == [
        "Threat scenario",
        "Name",
        "Impact (highest)",
        "Feasibility",
        "Risk",
        "Residual feasibility",
        "Residual risk",
        "CAL",
    ]
    values = {row[0]: (row[4], row[6], row[7]) for row in rows}
    assert values == {t: (r.risk, r.residual_risk, r.cal) for t, r in result.threats.items()}
    assert values["TS-1"] == (5, 2, 2)


def test_header_is_bold_filled_frozen_and_filtered(workbook: Workbook) -> None:
    ws = workbook["WP-15-03 Threat scenarios"]
    row = _header_row(ws, "ID")
    header = ws.cell(row=row, column=1)
    assert header.font.bold
    assert header.fill.fgColor.rgb == f"00{HEADER[0]}"
    assert ws.freeze_panes == f"A{row + 1}"
    assert ws.auto_filter.ref == f"A{row}:I{row + 5}"  # TS-1..TS-5, the ones in the analysis
    assert ws.column_dimensions["B"].width > ws.column_dimensions["A"].width
    assert ws.cell(row=row + 1, column=2).alignment.wrap_text


def test_risk_cells_are_coloured_like_the_html(workbook: Workbook) -> None:
    ws = workbook["WP-15-07 Risk values"]
    row = _header_row(ws, "Threat scenario") + 1  # TS-1, risk 5
    risk = ws.cell(row=row, column=5)
    assert risk.value == 5
    assert risk.fill.fgColor.rgb == f"00{RISK_COLOURS[5][0]}"


def test_heat_maps_hold_the_counts(result: TaraResult, workbook: Workbook) -> None:
    ws = workbook["WP-15-07 Risk values"]
    starts = [c.row for c in ws["A"] if c.value == "Impact \\ Feasibility" and c.row is not None]
    assert len(starts) == 2
    feasibilities = result.profile.feasibility.ids
    for start, residual in zip(starts, (False, True), strict=True):
        impacts = list(reversed(result.profile.impact.ids))
        counts = {
            (impacts[i], feasibilities[j]): ws.cell(row=start + 1 + i, column=2 + j).value
            for i in range(len(impacts))
            for j in range(len(feasibilities))
        }
        assert {k: v for k, v in counts.items() if v} == result.heat_map(residual)
        severe_high = ws.cell(row=start + 1, column=1 + len(feasibilities))  # risk 5: red, faint if empty
        red = RISK_COLOURS[5][0] if severe_high.value else tint(RISK_COLOURS[5][0])
        assert severe_high.fill.fgColor.rgb == f"00{red}"


def test_attack_trees_are_indented(workbook: Workbook) -> None:
    ws = workbook["WP-15-05 Attack paths"]
    header, rows = _rows(ws, "Threat")
    tree = header.index("Attack tree")
    assert [r[header.index("Node")] for r in rows[:4]] == ["PATH", "AND", "STEP", "STEP"]
    first = _header_row(ws, "Threat") + 1
    indents = [ws.cell(row=first + i, column=tree + 1).alignment.indent for i in range(4)]
    assert indents == [0, 2, 4, 4]


def test_findings_traceability_and_method_sheets(result: TaraResult, workbook: Workbook) -> None:
    header, rows = _rows(workbook["Findings"], "Severity")
    assert header == ["Severity", "Rule", "Element", "Line", "Message", "Cites"]
    assert {(r[1], r[2]) for r in rows} == {(f.rule, f.element) for f in result.findings}
    header, rows = _rows(workbook["Traceability"], "Damage scenarios")
    assert ("DS-1", "TS-1", 5, "reduce", None, "CG-1", 4, "CR-1", "BCM, HL", 2) in rows
    _, tables = _rows(workbook["Method"], "Table")
    assert tables[4][:3] == ("Risk matrix", "urn:opencsms:table:iso21434:risk-matrix", "1")


def test_summary_sheet_heads_the_report(workbook: Workbook) -> None:
    ws = workbook["Summary"]
    assert ws["A1"].value == "TARA report: Headlamp system"
    assert ws["A2"].value == "Model headlamp version 1.2; item: Headlamp system"
    assert ws["A3"].value == "Method: ISO/SAE 21434:2021 (urn:opencsms:method:iso21434 2021.1)"
    _, rows = _rows(ws, "Risk value")
    assert rows[0] == (5, 1, 0)


def test_fixed_properties_make_the_bytes_deterministic(result: TaraResult, workbook: Workbook) -> None:
    assert workbook.properties.creator == "OpenCSMS"
    assert workbook.properties.created == workbook.properties.modified == datetime(2000, 1, 1)  # noqa: DTZ001
    assert render(result, "xlsx") == render(result, "xlsx")
    stamped = load_workbook(BytesIO(render(result, "xlsx", generated=datetime(2031, 2, 3, 4, 5, 6))))  # noqa: DTZ001
    assert stamped.properties.created == datetime(2031, 2, 3, 4, 5, 6)  # noqa: DTZ001


def test_text_that_looks_like_a_formula_stays_text(result: TaraResult) -> None:
    threat = replace(result.model.threat_scenarios[0], name='=HYPERLINK("http://x","click")', cause="a\x07b")
    model = replace(result.model, threat_scenarios=(threat, *result.model.threat_scenarios[1:]))
    ws = load_workbook(BytesIO(render(evaluate(model, result.profile), "xlsx")))["WP-15-03 Threat scenarios"]
    _, rows = _rows(ws, "ID")
    assert rows[0][1] == '=HYPERLINK("http://x","click")'
    assert rows[0][4] == "ab"
    cell = ws.cell(row=_header_row(ws, "ID") + 1, column=2)
    assert cell.data_type == "s"


def test_tint_mixes_with_white() -> None:
    assert tint("000000", 0.5) == "808080"
    assert tint("C62828", 0) == "C62828"
    assert tint("C62828", 1) == "FFFFFF"
