"""The threat model of OpenCSMS itself (examples/opencsms-self.tara.yaml) as a CI gate, and docs/security.md
kept true to it: its summary table equals the file's evaluation, every control is described and tested,
and every file the page names exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from opencsms.cli.main import app
from opencsms.engine import TaraResult, evaluate
from opencsms.engine.tara.feasibility import iter_steps
from opencsms.engine.tara.model import TaraModel
from opencsms.engine.tara_as_code import load_file
from tests.paths import EXAMPLES, REPOSITORY

MODEL = EXAMPLES / "opencsms-self.tara.yaml"
PAGE = REPOSITORY / "docs" / "security.md"
RUNNER = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = RUNNER.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def result() -> TaraResult:
    model, profile = load_file(MODEL)
    return evaluate(model, profile)


@pytest.fixture(scope="module")
def model(result: TaraResult) -> TaraModel:
    return result.model


def section(title: str) -> str:
    """The text of one `## title` section of the page."""
    text = PAGE.read_text(encoding="utf-8")
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def table_rows(text: str) -> list[list[str]]:
    """The body rows of the markdown tables in `text`, each as its stripped cells."""
    rows = []
    for line in text.splitlines():
        if line.startswith("|") and not line.startswith("|---"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return [row for row in rows if row[0] not in ("Threat scenario", "Control")]


def test_the_threat_model_passes_check_and_the_ci_gate() -> None:
    code, out = run("tara", "check", str(MODEL), "--fail-on", "untreated>=3")
    assert code == 0, out
    assert "18 threat scenarios" in out
    assert out.rstrip().endswith("0 error(s), 0 warning(s), 0 failed gate(s)")


def test_the_gate_fails_when_a_threat_is_left_untreated(tmp_path: Path) -> None:
    treated = "    treatment: {decision: reduce, goals: [CG-NO-LOST-EDIT]}\n"
    text = MODEL.read_text(encoding="utf-8")
    assert text.count(treated) == 1
    untreated = tmp_path / "untreated.tara.yaml"
    untreated.write_text(text.replace(treated, ""), encoding="utf-8")
    code, out = run("tara", "check", str(untreated), "--fail-on", "untreated>=3")
    assert code == 1, out
    assert "TS-LOST-UPDATE" in out


def test_every_chain_from_asset_to_control_is_complete(tmp_path: Path) -> None:
    result = RUNNER.invoke(app, ["tara", "trace", str(MODEL), "--format", "md", "-o", str(tmp_path / "t.md")])
    assert result.exit_code == 0, result.output
    assert "0 gap(s)" in result.output


def test_the_summary_table_is_the_files_evaluation(model: TaraModel, result: TaraResult) -> None:
    rows = table_rows(section("Threat model: a TARA of OpenCSMS itself"))
    expected = []
    for threat in model.threat_scenarios:
        rated = result.threats[threat.id]
        steps = [step for path in threat.attack_paths for step in iter_steps(path.tree)]
        controls = {control for step in steps for control in step.controls}
        expected.append(
            [
                f"{threat.id}: {threat.name}",
                str(threat.stride),
                threat.asset,
                str(rated.risk),
                str(rated.residual_risk),
                ", ".join(option.value for option in threat.treatment.options),
                sorted(controls | set(threat.treatment.claims)),
            ]
        )
    shown = [[*row[:6], sorted(row[6].split(", ")) if row[6] else []] for row in rows]
    assert shown == expected


def test_the_counts_the_page_gives_are_the_files(model: TaraModel) -> None:
    text = " ".join(section("Threat model: a TARA of OpenCSMS itself").split())
    counted = {
        "assets": model.assets,
        "damage scenarios": model.damage_scenarios,
        "threat scenarios": model.threat_scenarios,
        "goals": model.goals,
        "claims": model.claims,
        "requirements": model.requirements,
        "controls": model.controls,
    }
    for name, elements in counted.items():
        assert f"{len(elements)} {name}" in text, name


@pytest.mark.parametrize("title", ["What is protected how", "How each property is tested"])
def test_every_control_has_one_row(model: TaraModel, title: str) -> None:
    ids = [row[0] for row in table_rows(section(title))]
    assert ids == [control.id for control in model.controls]


def test_every_control_is_proved_by_a_test_file() -> None:
    for control, tests in table_rows(section("How each property is tested")):
        paths = re.findall(r"`([^`]+)`", tests)
        assert paths, control
        assert all(p.startswith("tests/") and p.endswith(".py") for p in paths), control


def test_every_file_the_page_names_exists() -> None:
    named = set(re.findall(r"`((?:tests|src|examples|docs)/[^`\s]+)`", PAGE.read_text(encoding="utf-8")))
    assert len(named) > 30
    missing = sorted(path for path in named if not (REPOSITORY / path).exists())
    assert missing == []
