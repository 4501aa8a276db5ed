"""The `opencsms tara` commands as a user runs them: exit codes, files written, the edit-check-diff loop."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import openpyxl
import pytest
import yaml
from pypdf import PdfReader
from typer.testing import CliRunner

from opencsms.cli.main import app
from tests.paths import EXAMPLES, REFERENCE

RUNNER = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = RUNNER.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture
def starter(tmp_path: Path) -> Path:
    path = tmp_path / "tara.yaml"
    code, out = run("tara", "new", str(path))
    assert code == 0, out
    return path


def test_new_writes_a_starter_that_passes_check(starter: Path) -> None:
    code, out = run("tara", "check", str(starter))
    assert code == 0, out
    assert "1 threat scenarios" in out
    assert "risk values 1:0 2:0 3:0 4:1 5:0; after treatment 1:0 2:1 3:0 4:0 5:0" in out
    assert out.rstrip().endswith("0 error(s), 0 warning(s), 0 failed gate(s)")


def test_new_refuses_to_overwrite(starter: Path) -> None:
    code, out = run("tara", "new", str(starter))
    assert code == 2
    assert "exists" in out


def test_edit_a_rating_then_check_and_diff_show_the_new_risk(starter: Path, tmp_path: Path) -> None:
    edited = tmp_path / "edited.yaml"
    text = starter.read_text(encoding="utf-8")
    edited.write_text(text.replace("financial: major", "financial: severe"), encoding="utf-8")
    code, out = run("tara", "check", str(edited))
    assert code == 0
    assert "risk values 1:0 2:0 3:0 4:0 5:1" in out
    code, out = run("tara", "diff", str(starter), str(edited))
    assert code == 0
    assert "~ damage_scenarios DS-THEFT" in out
    assert "impact.financial: major -> severe" in out
    assert "TS-RELAY risk: 4 -> 5" in out
    assert "TS-RELAY cal: 3 -> 4" in out
    code, _ = run("tara", "diff", str(starter), str(edited), "--exit-code")
    assert code == 1
    code, out = run("tara", "diff", str(starter), str(starter), "--exit-code")
    assert (code, out.splitlines()[-1]) == (0, "No changes.")


def test_diff_reports_a_risk_value_below_the_threats_highest(tmp_path: Path) -> None:
    """DS-01's safety impact severe -> negligible: TS-01's safety risk 5 -> 1, its highest stays 5."""
    text = REFERENCE.read_text(encoding="utf-8")
    start = text.index("- id: DS-01")
    at = text.index("safety: severe", start)
    edited = tmp_path / "edited.yaml"
    edited.write_text(text[:at] + "safety: negligible" + text[at + len("safety: severe") :], encoding="utf-8")
    code, out = run("tara", "diff", str(REFERENCE), str(edited))
    assert code == 0, out
    assert "Threat scenario ratings and highest risks: 0 changes" in out
    assert "Risk values (per damage scenario and impact category): 12 changes" in out
    assert "  TS-01 DS-01 safety risk: 5 -> 1\n" in out
    assert "  TS-01 DS-01 safety residual_risk: 2 -> 1\n" in out
    code, _ = run("tara", "diff", str(REFERENCE), str(edited), "--exit-code")
    assert code == 1


def test_diff_as_json_lists_added_elements(starter: Path, tmp_path: Path) -> None:
    edited = tmp_path / "edited.yaml"
    text = starter.read_text(encoding="utf-8")
    assert "\ncontrols:\n" in text
    edited.write_text(
        text.replace("\ncontrols:\n", "\nclaims:\n  - {id: CC-9, text: new claim}\ncontrols:\n"),
        encoding="utf-8",
    )
    code, out = run("tara", "diff", str(starter), str(edited), "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert {"collection": "claims", "id": "CC-9", "change": "added", "fields": []} in data["elements"]


def test_rule_error_exits_1_with_location(starter: Path) -> None:
    text = starter.read_text(encoding="utf-8").replace("      goals: [CG-1]\n", "")
    starter.write_text(text, encoding="utf-8")
    code, out = run("tara", "check", str(starter))
    assert code == 1
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "- id: TS-RELAY" in t)
    assert f"{starter}:{line}:5: error: treatment/reduce-needs-goal: TS-RELAY" in out


def test_unreadable_file_exits_2_and_names_the_place(starter: Path) -> None:
    starter.write_text(
        starter.read_text(encoding="utf-8").replace("kind: rf_key", "kind: laser"), encoding="utf-8"
    )
    code, out = run("tara", "check", str(starter))
    assert code == 2
    assert "invalid-value: interfaces.1.kind: Input should be" in out
    assert "nothing was evaluated" in out
    assert "Traceback" not in out


@pytest.mark.parametrize(
    ("gate", "code"),
    [
        ("untreated>=1", 0),
        ("risk>=4", 1),
        ("risk>=5", 0),
        ("residual>=2", 1),
        ("residual>=3", 0),
        ("unrated", 0),
        ("warnings", 0),
    ],
)
def test_fail_on_gates(starter: Path, gate: str, code: int) -> None:
    assert run("tara", "check", str(starter), "--fail-on", gate)[0] == code


def test_unknown_gate_is_a_usage_error(starter: Path) -> None:
    code, out = run("tara", "check", str(starter), "--fail-on", "risk>9")
    assert code == 2
    assert "unknown gate" in out


def test_check_as_json(starter: Path) -> None:
    code, out = run("tara", "check", str(starter), "--format", "json", "--fail-on", "risk>=4")
    assert code == 1
    data = json.loads(out)
    assert data["failed_gates"] == {"risk>=4": ["TS-RELAY: risk 4"]}
    assert data["passed"] is False


@pytest.mark.parametrize("fmt", ["html", "md", "json", "xlsx"])
def test_report_writes_each_format(starter: Path, tmp_path: Path, fmt: str) -> None:
    out_file = tmp_path / f"report.{fmt}"
    code, out = run("tara", "report", str(starter), "--format", fmt, "--output", str(out_file))
    assert code == 0, out
    data = out_file.read_bytes()
    if fmt == "xlsx":
        workbook = openpyxl.load_workbook(out_file)
        assert any(name.startswith("WP-15-07") for name in workbook.sheetnames)
    elif fmt == "json":
        assert json.loads(data)["format"] == "opencsms-tara-report/1"
    else:
        assert b"WP-15-08" in data


def test_report_writes_a_pdf(starter: Path, tmp_path: Path) -> None:
    out_file = tmp_path / "report.pdf"
    code, out = run("tara", "report", str(starter), "--format", "pdf", "--output", str(out_file))
    assert code == 0, out
    reader = PdfReader(out_file)
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert out_file.read_bytes().startswith(b"%PDF-")
    assert "WP-15-08 Risk treatment decisions" in text
    assert reader.metadata is not None
    assert reader.metadata.creator == "OpenCSMS"


def test_report_unknown_format(starter: Path) -> None:
    assert run("tara", "report", str(starter), "--format", "docx")[0] == 2


def test_schema_is_a_json_schema_that_accepts_the_starter_and_the_examples(starter: Path) -> None:
    code, out = run("tara", "schema")
    assert code == 0
    schema = json.loads(out)
    jsonschema.Draft202012Validator.check_schema(schema)
    examples = sorted(EXAMPLES.glob("*.tara.yaml"))
    for path in [starter, *examples]:
        jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(
            {"opencsms": "tara/1", "id": "x", "name": "x", "item": {"name": "x"}, "bogus": 1}, schema
        )


def test_catalogue_validate_checks_the_shipped_data() -> None:
    code, out = run("catalogue", "validate")
    assert code == 0, out
    assert "method profile urn:opencsms:method:iso21434" in out
    assert "catalogue urn:opencsms:catalogue:unece-r155-annex5" in out
    assert "threat rules urn:opencsms:rules:automotive 1.1 (42 rules)" in out


def test_catalogue_validate_refuses_a_broken_profile(tmp_path: Path) -> None:
    bad = tmp_path / "org.yaml"
    bad.write_text(
        "extends: iso21434\nurn: urn:opencsms:method:org\nversion: '1'\nname: Org\n"
        "risk:\n  matrix:\n    severe: {very_low: 7}\n",
        encoding="utf-8",
    )
    code, out = run("catalogue", "validate", str(bad))
    assert code == 1
    assert "not a risk level" in out
