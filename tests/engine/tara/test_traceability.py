"""The traceability matrix (engine.tara.traceability): chains on the reference model, each kind of gap on a
small model, and the CSV, XLSX and Markdown files."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from opencsms.engine.tara import model as m
from opencsms.engine.tara.trace_render import render_trace, trace_data
from opencsms.engine.tara.traceability import COLUMNS, Traceability, traceability
from opencsms.engine.tara_as_code import load_file
from tests.paths import REFERENCE


def _ids(trace: Traceability) -> list[tuple[str, ...]]:
    return [tuple(c.ref if c else "" for c in row.cells) for row in trace.rows]


@pytest.fixture(scope="module")
def reference() -> Traceability:
    return traceability(load_file(REFERENCE)[0])


def test_the_reference_model_traces_asset_to_control(reference: Traceability) -> None:
    assert ("A-01", "DS-13", "TS-08", "CG-10", "CR-12", "CTL-07") in _ids(reference)
    assert all(len(row.cells) == len(COLUMNS) for row in reference.rows)
    complete = [row for row in reference.rows if row.gap is None]
    assert complete
    assert all(row.cells[0] and row.cells[2] and row.cells[3] for row in complete)


def test_the_reference_model_has_its_known_gaps_each_once(reference: Traceability) -> None:
    messages = [gap.message for gap in reference.gaps]
    assert len(messages) == len(set(messages)) == 11
    assert "threat scenario TS-48 has no goal or claim" in messages
    assert "damage scenario DS-14 has no threat scenario on asset A-01" in messages
    flagged = [row for row in reference.rows if row.gap and row.gap.ref == "TS-48"]
    assert flagged
    assert flagged[0].cells[2] is not None
    assert flagged[0].cells[2].ref == "TS-48"
    assert flagged[0].cells[3] is None


def _small(**lists: object) -> m.TaraModel:
    return m.TaraModel("t", "Small", m.Item("item"), **lists)  # type: ignore[arg-type]


def _threat(
    ref: str, asset: str, damage: tuple[str, ...], goals: tuple[str, ...] = (), **kw: object
) -> m.ThreatScenario:
    treatment = m.TreatmentDecision((m.Treatment.REDUCE,), goals=goals, claims=kw.pop("claims", ()))  # type: ignore[arg-type]
    return m.ThreatScenario(ref, ref, asset, "integrity", damage, treatment=treatment, **kw)  # type: ignore[arg-type]


def test_each_kind_of_gap_is_found_and_a_claim_ends_its_chain() -> None:
    model = _small(
        assets=(
            m.Asset("A-LONE", "Lone", ("integrity",)),
            m.Asset("A-1", "One", ("integrity",), damage={"integrity": ("DS-1", "DS-2")}),
        ),
        damage_scenarios=(
            m.DamageScenario("DS-1", "d1", {"safety": "severe"}),
            m.DamageScenario("DS-2", "d2", {"safety": "severe"}),
            m.DamageScenario("DS-ORPHAN", "d3", {"safety": "severe"}),
        ),
        threat_scenarios=(
            _threat("TS-G", "A-1", ("DS-1",), ("G-1", "G-BARE")),
            _threat("TS-NONE", "A-1", ("DS-1",)),
            _threat("TS-C", "A-1", ("DS-1",), claims=("CL-1",)),
            _threat("TS-REJ", "A-1", ("DS-2",), ("G-1",), status=m.ReviewStatus.REJECTED, rationale="no"),
        ),
        goals=(m.Goal("G-1", "g1"), m.Goal("G-BARE", "bare"), m.Goal("G-UNUSED", "unused")),
        claims=(m.Claim("CL-1", "accepted"),),
        requirements=(
            m.Requirement("R-1", "r1", goals=("G-1",), controls=("C-1",)),
            m.Requirement("R-2", "r2", goals=("G-1",)),
        ),
        controls=(m.Control("C-1", "c1"), m.Control("C-SPARE", "spare")),
    )
    trace = traceability(model)
    assert [gap.message for gap in trace.gaps] == [
        "asset A-LONE has no damage scenario",
        "requirement R-2 has no control",
        "goal G-BARE has no requirement",
        "threat scenario TS-NONE has no goal or claim",
        "damage scenario DS-2 has no threat scenario on asset A-1",  # the rejected threat does not count
        "damage scenario DS-ORPHAN has no threat scenario",
        "goal G-UNUSED has no threat scenario",
        "goal G-UNUSED has no requirement",
        "control C-SPARE has no requirement",
    ]
    rows = _ids(trace)
    assert ("A-1", "DS-1", "TS-G", "G-1", "R-1", "C-1") in rows
    assert ("A-1", "DS-1", "TS-C", "CL-1", "", "") in rows
    claim_row = next(r for r in trace.rows if r.cells[3] and r.cells[3].ref == "CL-1")
    assert claim_row.gap is None
    assert not any("TS-REJ" in row for row in rows)
    missing = {gap.ref: gap.missing for gap in trace.gaps}
    assert missing["A-LONE"] == "damage_scenario"
    assert missing["R-2"] == "control"


def test_a_requirement_without_a_goal_is_a_gap_of_its_own() -> None:
    model = _small(
        requirements=(m.Requirement("R-X", "x", controls=("C-1",)),), controls=(m.Control("C-1", "c"),)
    )
    trace = traceability(model)
    assert [gap.message for gap in trace.gaps] == ["requirement R-X has no goal"]
    assert ("", "", "", "", "R-X", "C-1") in _ids(trace)


def test_the_files_say_the_same_as_the_matrix(reference: Traceability) -> None:
    rows = list(csv.reader(io.StringIO(render_trace(reference, "csv").decode())))
    assert rows[0] == [title for _, title in COLUMNS] + ["Gap"]
    assert len(rows) == len(reference.rows) + 1
    assert [
        "A-01",
        "DS-14",
        "",
        "",
        "",
        "",
        "damage scenario DS-14 has no threat scenario on asset A-01",
    ] in rows
    book = openpyxl.load_workbook(io.BytesIO(render_trace(reference, "xlsx")))
    texts = {str(cell.value) for sheet in book.worksheets for row in sheet.iter_rows() for cell in row}
    assert "threat scenario TS-48 has no goal or claim" in texts
    assert "CTL-07" in texts
    markdown = render_trace(reference, "md").decode()
    assert "| A-01 | DS-13 | TS-08 | CG-10 | CR-12 | CTL-07 |  |" in markdown
    data = trace_data(reference)
    assert data["columns"] == [key for key, _ in COLUMNS]
    assert len(data["gaps"]) == 11
    assert len(data["rows"]) == len(reference.rows)
    with pytest.raises(ValueError, match="csv, xlsx, md"):
        render_trace(reference, "pdf")
