"""Reports of the small golden TARA against golden files; every format is deterministic."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from io import BytesIO

import pytest
from pypdf import PdfReader

from opencsms.engine import TaraResult
from opencsms.engine.reports import FORMAT, FORMATS, render
from tests.engine.reports.conftest import GOLDEN
from tests.golden_files import compare_golden, pdf_text


@pytest.mark.golden
@pytest.mark.parametrize("fmt", ["md", "json", "html"])
def test_report_matches_golden_file(result: TaraResult, fmt: str, update_golden: bool) -> None:
    compare_golden(GOLDEN / f"small.report.{fmt}", render(result, fmt), update_golden)


@pytest.mark.golden
def test_pdf_report_says_what_the_golden_file_says(result: TaraResult, update_golden: bool) -> None:
    compare_golden(GOLDEN / "small.report.pdf.txt", pdf_text(render(result, "pdf")).encode(), update_golden)


@pytest.mark.parametrize("fmt", FORMATS)
def test_same_input_gives_the_same_bytes(result: TaraResult, fmt: str) -> None:
    first, second = render(result, fmt), render(result, fmt)
    assert first == second
    assert len(first) > 1000


@pytest.mark.parametrize("fmt", ["md", "json", "html"])
def test_no_timestamp_unless_one_is_passed(result: TaraResult, fmt: str) -> None:
    assert b"2031-02-03" not in render(result, fmt)
    stamped = render(result, fmt, generated=datetime(2031, 2, 3, 4, 5, 6))  # noqa: DTZ001
    assert b"2031-02-03T04:05:06" in stamped


def test_pdf_is_dated_only_when_a_time_is_passed(result: TaraResult) -> None:
    plain = PdfReader(BytesIO(render(result, "pdf")))
    assert plain.metadata is not None
    assert plain.metadata.creation_date == datetime(2000, 1, 1, tzinfo=UTC)
    assert "Generated" not in plain.pages[0].extract_text()
    stamped = PdfReader(BytesIO(render(result, "pdf", generated=datetime(2031, 2, 3, 4, 5, 6, tzinfo=UTC))))
    assert stamped.metadata is not None
    assert stamped.metadata.creation_date == datetime(2031, 2, 3, 4, 5, 6, tzinfo=UTC)
    assert "Generated 2031-02-03T04:05:06+00:00" in stamped.pages[0].extract_text()


def test_unknown_format_is_refused(result: TaraResult) -> None:
    with pytest.raises(ValueError, match="unknown report format 'docx'"):
        render(result, "docx")


def test_json_has_its_format_and_sorted_keys(result: TaraResult) -> None:
    raw = render(result, "json")
    data = json.loads(raw)
    assert data["format"] == FORMAT == "opencsms-tara-report/1"
    assert raw.decode() == json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert data["model"] == {"id": "headlamp", "item": "Headlamp system", "version": "1.2"}
    assert data["method"]["urn"] == "urn:opencsms:method:iso21434"


def test_json_rows_are_keyed_by_column(result: TaraResult) -> None:
    data = json.loads(render(result, "json"))
    wp = next(s for s in data["sections"] if s["id"] == "WP-15-07")
    threats = next(b for b in wp["blocks"] if b["key"] == "threat-risks")
    rows = {row["threat"]: row for row in threats["rows"]}
    assert {t: rows[t]["risk"] for t in rows} == {t: r.risk for t, r in result.threats.items()}
    assert {t: rows[t]["residual_risk"] for t in rows} == {
        t: r.residual_risk for t, r in result.threats.items()
    }
    trees = next(s for s in data["sections"] if s["id"] == "WP-15-05")["blocks"][0]
    assert [(r["depth"], r["type"]) for r in trees["rows"][:4]] == [
        (0, "PATH"),
        (1, "AND"),
        (2, "STEP"),
        (2, "STEP"),
    ]
