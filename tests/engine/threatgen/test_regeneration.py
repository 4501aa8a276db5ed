"""Generation that respects people: golden before/after, decisions kept across an architecture change."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from opencsms.engine import evaluate
from opencsms.engine.analysis.graph import build_graph
from opencsms.engine.analysis.paths import best_paths
from opencsms.engine.tara.model import ReviewStatus
from opencsms.engine.tara_as_code import load_file
from opencsms.engine.threatgen import first_paths, load_rules, propose
from opencsms.engine.threatgen.write import generate_file
from tests.golden_files import compare_golden
from tests.paths import GOLDEN

FOLDER = GOLDEN / "threatgen"


def _reject(text: str, threat_id: str, why: str) -> str:
    head, _, tail = text.partition(f"- id: {threat_id}\n")
    assert tail, threat_id
    return f"{head}- id: {threat_id}\n" + tail.replace(
        "status: proposed", f"status: rejected\n    rationale: {why}", 1
    )


@pytest.fixture
def work(tmp_path: Path) -> Path:
    path = tmp_path / "headlamp.tara.yaml"
    shutil.copy(FOLDER / "headlamp.tara.yaml", path)
    return path


@pytest.mark.golden
def test_first_generation_appends_proposals_and_changes_nothing_else(work: Path, update_golden: bool) -> None:
    before = work.read_text(encoding="utf-8")
    plan = generate_file(work)
    assert [p.id for p in plan.add] == [
        "G-DIAG-ACCESS-A-HL-FW-OBD",
        "G-MSG-INJECTION-A-BEAM-LIN-HL",
        "G-BUS-FLOODING-A-BEAM-LIN-HL",
    ]
    after = work.read_text(encoding="utf-8")
    assert after.startswith(before.split("\ngoals:")[0].rstrip("\n"))  # every earlier line untouched
    assert after.split("\ngoals:")[1] == before.split("\ngoals:")[1]
    compare_golden(FOLDER / "headlamp.generated.tara.yaml", after.encode(), update_golden)
    model, profile = load_file(work)
    proposed = [t for t in model.threat_scenarios if t.status is ReviewStatus.PROPOSED]
    assert len(proposed) == 3
    assert {f.rule for f in evaluate(model, profile).errors} == set()


def test_generation_is_idempotent(work: Path) -> None:
    generate_file(work)
    once = work.read_text(encoding="utf-8")
    plan = generate_file(work)
    assert (plan.changes, len(plan.kept)) == (0, 3)
    assert work.read_text(encoding="utf-8") == once


@pytest.mark.golden
def test_rejections_survive_an_architecture_change(work: Path, update_golden: bool) -> None:
    generate_file(work)
    text = work.read_text(encoding="utf-8")
    text = _reject(
        text, "G-MSG-INJECTION-A-BEAM-LIN-HL", "The LIN frame is authenticated by the BCM; see TS-SPOOF-OFF"
    )
    text = _reject(
        text, "G-BUS-FLOODING-A-BEAM-LIN-HL", "Merged in substance with TS-FLOOD, which covers the LIN too"
    )
    # the architecture changes: a JTAG port appears on the headlamp ECU, and the beam command is no longer
    # tagged a bus message or safety command, so the two rejected proposals no longer match
    text = text.replace(
        "  - {id: OBD, name: OBD-II port",
        "  - {id: JTAG-HL, name: Headlamp ECU JTAG, kind: debug, components: [HL]}\n"
        "  - {id: OBD, name: OBD-II port",
    )
    text = text.replace("    tags: [message, safety_command]\n", "    tags: []\n")
    work.write_text(text, encoding="utf-8")
    plan = generate_file(work)
    assert [p.id for p in plan.add] == ["G-DEBUG-OPEN-A-HL-FW-JTAG-HL"]
    assert plan.obsolete == ("G-MSG-INJECTION-A-BEAM-LIN-HL", "G-BUS-FLOODING-A-BEAM-LIN-HL")
    compare_golden(FOLDER / "headlamp.regenerated.tara.yaml", work.read_bytes(), update_golden)
    model, _ = load_file(work)
    threats = {t.id: t for t in model.threat_scenarios}
    for threat_id in plan.obsolete:
        assert threats[threat_id].status is ReviewStatus.REJECTED
        assert threats[threat_id].rationale
        assert threats[threat_id].generated is not None
        assert threats[threat_id].generated.obsolete
    assert threats["G-DIAG-ACCESS-A-HL-FW-OBD"].status is ReviewStatus.PROPOSED


def test_an_obsolete_threat_comes_back_when_the_architecture_matches_again(work: Path) -> None:
    generate_file(work)
    original = work.read_text(encoding="utf-8")
    work.write_text(
        original.replace("    tags: [message, safety_command]\n", "    tags: []\n"), encoding="utf-8"
    )
    assert len(generate_file(work).obsolete) == 2
    assert "obsolete: true}" in work.read_text(encoding="utf-8")
    text = work.read_text(encoding="utf-8").replace("    tags: []\n", "    tags: [message, safety_command]\n")
    work.write_text(text, encoding="utf-8")
    plan = generate_file(work)
    assert len(plan.revive) == 2
    assert work.read_text(encoding="utf-8") == original


def test_human_edits_to_a_generated_threat_are_never_overwritten(work: Path) -> None:
    generate_file(work)
    text = work.read_text(encoding="utf-8").replace(
        "name: Headlamp ECU firmware changed through diagnostic access on OBD-II port\n    status: proposed",
        "name: Reflash of the headlamp ECU from a tester (renamed)\n    status: accepted",
    )
    work.write_text(text, encoding="utf-8")
    generate_file(work)
    assert work.read_text(encoding="utf-8") == text


def test_dry_run_writes_nothing(work: Path) -> None:
    before = work.read_bytes()
    assert len(generate_file(work, write=False).add) == 3
    assert work.read_bytes() == before


def test_removing_an_asset_marks_its_generated_threats_obsolete_and_the_file_still_loads(work: Path) -> None:
    generate_file(work)
    text = work.read_text(encoding="utf-8")
    asset = (
        "  - id: A-HL-FW\n    name: Headlamp ECU firmware\n    properties: [integrity]\n    component: HL\n"
        "    tags: [firmware, calibration]\n    damage: {integrity: [DS-GLARE, DS-DARK]}\n"
    )
    text = text.replace(asset, "")
    start = text.index("  - id: TS-FW\n")
    text = (
        text[:start] + text[text.index("  - id: G-DIAG-ACCESS", start) :]
    )  # the hand-written threat goes too
    work.write_text(text, encoding="utf-8")
    plan = generate_file(work)
    assert plan.obsolete == ("G-DIAG-ACCESS-A-HL-FW-OBD",)
    model, profile = load_file(work)  # its references to the removed asset no longer stop the file loading
    result = evaluate(model, profile)
    assert "G-DIAG-ACCESS-A-HL-FW-OBD" not in result.threats
    assert "threat/obsolete" in {f.rule for f in result.findings}


@pytest.mark.golden
def test_generation_with_paths_rates_each_proposal_by_its_best_path(work: Path, update_golden: bool) -> None:
    before = work.read_text(encoding="utf-8")
    plan = generate_file(work, with_paths=True)
    after = work.read_text(encoding="utf-8")
    assert after.split("\ngoals:")[1] == before.split("\ngoals:")[1]  # only the threat block grew
    compare_golden(FOLDER / "headlamp.generated-with-paths.tara.yaml", after.encode(), update_golden)
    model, profile = load_file(work)
    result = evaluate(model, profile)
    graph = build_graph(model, profile)
    for proposal in plan.add:
        threat = next(t for t in model.threat_scenarios if t.id == proposal.id)
        [path] = threat.attack_paths
        assert path.id == f"{proposal.id}.AP1"
        asset = next(a for a in model.assets if a.id == proposal.asset)
        best = best_paths(graph, [f"component:{asset.component}"])[f"component:{asset.component}"]
        rated = result.threats[proposal.id]
        assert rated.feasibility == best.feasibility(profile)  # the tree is rated as the search found it
        assert rated.risk is not None
    assert {f.rule for f in result.errors} == set()


def test_first_paths_leave_out_an_asset_no_entry_point_reaches() -> None:
    model, profile = load_file(FOLDER / "headlamp.tara.yaml")
    proposals = propose(model, load_rules())
    isolated = replace(model, interfaces=tuple(x for x in model.interfaces if not x.external))
    assert first_paths(model, profile, proposals)
    assert first_paths(isolated, profile, proposals) == {}
