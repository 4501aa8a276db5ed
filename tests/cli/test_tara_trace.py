"""`opencsms tara trace`: the traceability matrix of a TARA file in CSV, XLSX or Markdown."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from opencsms.cli.main import app
from tests.paths import REFERENCE

RUNNER = CliRunner()


def test_trace_prints_csv_with_the_gap_count_on_stderr() -> None:
    result = RUNNER.invoke(app, ["tara", "trace", str(REFERENCE)])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0][0] == "Asset"
    assert rows[0][-1] == "Gap"
    assert ["A-01", "DS-13", "TS-08", "CG-10", "CR-12", "CTL-07", ""] in rows
    assert "11 gap(s)" in result.stderr


def test_trace_writes_xlsx_and_markdown(tmp_path: Path) -> None:
    out = tmp_path / "trace.xlsx"
    result = RUNNER.invoke(app, ["tara", "trace", str(REFERENCE), "--format", "xlsx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    texts = {str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row}
    assert "threat scenario TS-48 has no goal or claim" in texts
    markdown = RUNNER.invoke(app, ["tara", "trace", str(REFERENCE), "-f", "md"])
    assert markdown.exit_code == 0
    assert "| Asset | Damage scenario | Threat scenario | Goal or claim | Requirement | Control | Gap |" in (
        markdown.stdout
    )


def test_trace_refuses_an_unknown_format_and_an_invalid_file(tmp_path: Path) -> None:
    result = RUNNER.invoke(app, ["tara", "trace", str(REFERENCE), "-f", "pdf"])
    assert result.exit_code == 2
    assert "unknown format 'pdf'; use one of csv, xlsx, md" in result.stderr
    bad = tmp_path / "bad.tara.yaml"
    bad.write_text("opencsms: tara/1\nid: x\nname: [unclosed\n")
    refused = RUNNER.invoke(app, ["tara", "trace", str(bad)])
    assert refused.exit_code == 2
    assert "nothing was evaluated" in refused.stderr
