"""`opencsms tara generate`, `paths` and the Annex 5 gates as a user runs them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from opencsms.cli.main import app
from tests.paths import EXAMPLES

RUNNER = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = RUNNER.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture
def headlamp(tmp_path: Path) -> Path:
    for name in ("headlamp.tara.yaml", "org-method.yaml"):
        shutil.copy(EXAMPLES / name, tmp_path / name)
    return tmp_path / "headlamp.tara.yaml"


def test_generate_then_check_shows_the_proposals_for_review(headlamp: Path) -> None:
    code, out = run("tara", "generate", str(headlamp))
    assert code == 0, out
    assert (
        out.splitlines()[0]
        == f"{headlamp}: 3 new, 0 now obsolete, 0 back again, 0 generated threat scenarios kept as they are"
    )
    added = "+ G-MSG-INJECTION-A-BEAM-LIN-HL: Forged Beam command on the LIN injected on Headlamp LIN"
    assert f"{added} (Annex 5 11.1)" in out
    code, out = run("tara", "check", str(headlamp))
    assert code == 0
    assert out.count("warning: threat/proposed") == 3
    code, out = run("tara", "generate", str(headlamp))
    assert "0 new, 0 now obsolete, 0 back again, 3 generated threat scenarios kept as they are" in out


def test_generate_dry_run_and_user_rules(headlamp: Path, tmp_path: Path) -> None:
    rules = tmp_path / "my-rules.yaml"
    rules.write_text(
        """urn: urn:opencsms:rules:acme
version: "1"
name: ACME rules
cites: ACME handbook 7
rules:
  - id: ACME-LIGHT
    name: Light commands must never be silently dropped
    cites: ACME handbook 7.1
    match: {asset: {tags: [safety_command], properties: [availability]}}
    threat: {property: availability, stride: D, name: "$asset dropped by $component", annex5: ["8.1"]}
""",
        encoding="utf-8",
    )
    before = headlamp.read_bytes()
    code, out = run("tara", "generate", str(headlamp), "--rules", str(rules), "--dry-run")
    assert code == 0, out
    assert "+ G-ACME-LIGHT-A-BEAM: Beam command on the LIN dropped by Headlamp ECU (Annex 5 8.1)" in out
    assert out.rstrip().endswith("dry run: the file was not changed")
    assert headlamp.read_bytes() == before


def test_generate_refuses_a_broken_rule_file(headlamp: Path, tmp_path: Path) -> None:
    rules = tmp_path / "bad.yaml"
    rules.write_text(
        "urn: urn:opencsms:rules:bad\nversion: '1'\nname: b\ncites: c\nrules:\n"
        "  - {id: BAD, name: n, cites: c, match: {}, threat: {property: integrity, stride: T,"
        " name: '$asset ${__class__}', annex5: ['5.1']}}\n",
        encoding="utf-8",
    )
    code, out = run("tara", "generate", str(headlamp), "--rules", str(rules))
    assert code == 2
    assert "unknown placeholder(s) ['__class__']" in out


def test_paths_lists_the_best_path_per_asset(headlamp: Path) -> None:
    code, out = run("tara", "paths", str(headlamp), "--asset", "A-BEAM", "--k", "1")
    assert code == 0, out
    assert out.splitlines()[:3] == [
        "A-BEAM on HL (TS-SPOOF-OFF, TS-FLOOD)",
        "  1. potential 21 -> feasibility low, with controls 21 -> low, entry OBD-II port (physical)",
        "       Compromise Central gateway over OBD-II port",
    ]
    assert run("tara", "paths", str(headlamp), "--asset", "A-NOPE")[0] == 2


def test_paths_become_attack_trees_of_a_threat_with_one_command(headlamp: Path) -> None:
    code, out = run("tara", "paths", str(headlamp), "--threat", "TS-FW")
    assert code == 0, out
    assert out.startswith("added TS-FW.AP1: Attack path analysis: OBD-II port -> Central gateway")
    code, out = run("tara", "check", str(headlamp))
    assert code == 0, out
    assert "3 threat scenarios, 4 attack paths" in out
    assert run("tara", "paths", str(headlamp), "--threat", "TS-NOPE")[0] == 2


def test_annex5_gates(headlamp: Path) -> None:
    code, out = run("tara", "check", str(headlamp), "--fail-on", "uncovered-annex5")
    assert code == 1
    assert "gate uncovered-annex5 failed: Annex 5 1.1: uncovered" in out
    assert "UN R155 Annex 5: 4 of 70 threats covered" in out
    code, out = run("tara", "check", str(headlamp), "--fail-on", "unmitigated-annex5")
    assert code == 1
    assert "Annex 5 M1: missing" in out
