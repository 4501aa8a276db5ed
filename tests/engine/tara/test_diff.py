"""The diff of two evaluated TARAs reports every risk value that moved (15.8: per threat scenario, damage
scenario and impact category, before and after treatment), not only each threat scenario's highest."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from opencsms.engine.tara import model as m
from opencsms.engine.tara.diff import RiskValueChange, diff
from opencsms.engine.tara.diff_render import render_diff
from opencsms.engine.tara.evaluate import evaluate
from opencsms.engine.tara.result import TaraResult
from opencsms.engine.tara_as_code import load_file
from tests.golden_files import compare_golden
from tests.paths import GOLDEN, REFERENCE

MODEL, PROFILE = load_file(REFERENCE)


@pytest.fixture(scope="module")
def before() -> TaraResult:
    return evaluate(MODEL, PROFILE)


def _with_impact(model: m.TaraModel, damage: str, category: str, level: str) -> m.TaraModel:
    scenarios = tuple(
        replace(ds, impact={**ds.impact, category: level}) if ds.id == damage else ds
        for ds in model.damage_scenarios
    )
    return replace(model, damage_scenarios=scenarios)


@pytest.fixture(scope="module")
def lowered() -> TaraResult:
    """DS-01's safety impact lowered from severe to negligible: TS-01's safety risk falls from 5 to 1,
    while its highest risk stays 5 (DS-01's operational impact is severe too)."""
    return evaluate(_with_impact(MODEL, "DS-01", "safety", "negligible"), PROFILE)


def test_a_risk_value_below_the_highest_is_reported(before: TaraResult, lowered: TaraResult) -> None:
    assert before.threats["TS-01"].risk == lowered.threats["TS-01"].risk == 5
    changes = diff(before, lowered)
    assert changes.risks == ()  # no threat scenario's highest value moved
    ts01 = [v for v in changes.risk_values if v.threat == "TS-01"]
    assert ts01 == [
        RiskValueChange("TS-01", "DS-01", "safety", "risk", 5, 1),
        RiskValueChange("TS-01", "DS-01", "safety", "residual_risk", 2, 1),
    ]
    assert not changes.empty


def test_every_threat_scenario_of_the_damage_scenario_is_reported(
    before: TaraResult, lowered: TaraResult
) -> None:
    changes = diff(before, lowered).risk_values
    using = {t.id for t in MODEL.threat_scenarios if "DS-01" in t.damage_scenarios and t.id in before.threats}
    assert {v.threat for v in changes} == using
    assert {(v.damage_scenario, v.category) for v in changes} == {("DS-01", "safety")}
    for value in changes:
        old, new = before.risk_values(), lowered.risk_values()
        key = (value.threat, value.damage_scenario, value.category)
        index = 0 if value.field == "risk" else 1
        assert (value.old, value.new) == (old[key][index], new[key][index])


def test_the_same_version_has_no_risk_value_change(before: TaraResult) -> None:
    assert diff(before, before).risk_values == ()
    assert diff(before, before).empty


def test_values_of_a_new_or_removed_damage_scenario_show_none_on_the_missing_side(before: TaraResult) -> None:
    threats = tuple(
        replace(t, damage_scenarios=(*t.damage_scenarios, "DS-08")) if t.id == "TS-02" else t
        for t in MODEL.threat_scenarios
    )
    linked = evaluate(replace(MODEL, threat_scenarios=threats), PROFILE)
    added = [v for v in diff(before, linked).risk_values if v.damage_scenario == "DS-08"]
    assert {(v.category, v.field, v.old) for v in added} == {
        ("financial", "risk", None),
        ("financial", "residual_risk", None),
        ("operational", "risk", None),
        ("operational", "residual_risk", None),
    }
    assert all(v.new is not None for v in added)
    removed = [v for v in diff(linked, before).risk_values if v.damage_scenario == "DS-08"]
    assert {(v.old, v.new) for v in removed} == {(v.new, None) for v in added}


def test_rendered_as_text_markdown_and_json(before: TaraResult, lowered: TaraResult) -> None:
    changes = diff(before, lowered)
    text = render_diff(changes, "text", "a", "b")
    assert "Risk values (per damage scenario and impact category): 12 changes" in text
    assert "  TS-01 DS-01 safety risk: 5 -> 1\n" in text
    assert "  TS-01 DS-01 safety residual_risk: 2 -> 1\n" in text
    assert "- `TS-01` `DS-01` safety risk: 5 -> 1\n" in render_diff(changes, "md", "a", "b")
    data = json.loads(render_diff(changes, "json", "a", "b"))
    assert data["risk_values"][0] == {
        "threat": "TS-01",
        "damage_scenario": "DS-01",
        "category": "safety",
        "field": "risk",
        "old": 5,
        "new": 1,
    }


def test_markdown_diff_matches_golden(before: TaraResult, lowered: TaraResult, update_golden: bool) -> None:
    text = render_diff(diff(before, lowered), "md", "connected-ev", "DS-01 safety negligible")
    compare_golden(GOLDEN / "tara" / "connected-ev.diff.md", text.encode(), update_golden)
