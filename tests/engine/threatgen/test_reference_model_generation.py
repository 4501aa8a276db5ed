"""Generation on the reference model (examples/connected-ev.tara.yaml): its architecture carries tags and
damage maps, so every proposal is readable, unique and leads to damage scenarios of the model, and a
second generation on the written file adds nothing and marks nothing obsolete.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from opencsms.engine.tara.model import TaraModel
from opencsms.engine.tara_as_code import load_file
from opencsms.engine.threatgen import Proposal, load_rules, propose
from opencsms.engine.threatgen.write import generate_file
from tests.paths import REFERENCE

MODEL = REFERENCE


@pytest.fixture(scope="module")
def model() -> TaraModel:
    return load_file(MODEL)[0]


@pytest.fixture(scope="module")
def found(model: TaraModel) -> list[Proposal]:
    return propose(model, load_rules())


def test_every_asset_maps_each_of_its_properties_to_damage(model: TaraModel) -> None:
    known = {d.id for d in model.damage_scenarios}
    for asset in model.assets:
        assert set(asset.damage) == set(asset.properties), asset.id
        assert all(ids and set(ids) <= known for ids in asset.damage.values()), asset.id


def test_every_proposal_is_unique_readable_and_leads_to_damage(found: list[Proposal]) -> None:
    assert len({p.id for p in found}) == len(found)
    for proposal in found:
        assert proposal.damage_scenarios, proposal.id
        assert "$" not in proposal.name + proposal.cause, proposal.id
        assert proposal.name[0].isupper(), proposal.id


def test_proposals_spread_over_many_rules_and_skip_what_is_covered(
    model: TaraModel, found: list[Proposal]
) -> None:
    assert len({p.rule for p in found}) >= 35
    covered = {(t.asset, t.property) for t in model.threat_scenarios if t.in_analysis}
    baseline = [p for p in found if p.rule.startswith("STRIDE-")]
    assert baseline
    assert not [p.id for p in baseline if (p.asset, p.property) in covered]
    specific = {(p.asset, p.property) for p in found if not p.rule.startswith("STRIDE-")}
    assert not [p.id for p in baseline if (p.asset, p.property) in specific]
    existing = {t.id for t in model.threat_scenarios}
    assert not [p.id for p in found if p.id in existing]  # nothing generated yet in the reference model


def test_taking_a_component_out_of_the_item_drops_only_its_assets(
    model: TaraModel, found: list[Proposal]
) -> None:
    tcu = {a.id for a in model.assets if a.component == "TCU"}
    assert {p.asset for p in found} >= tcu
    components = tuple(replace(c, in_scope=c.in_scope and c.id != "TCU") for c in model.components)
    rest = propose(replace(model, components=components), load_rules())
    assert rest == [p for p in found if p.asset not in tcu]


def test_a_second_generation_adds_nothing_and_obsoletes_nothing(
    tmp_path: Path, found: list[Proposal]
) -> None:
    copy = tmp_path / MODEL.name
    shutil.copyfile(MODEL, copy)
    first = generate_file(copy)
    assert [p.id for p in first.add] == [p.id for p in found]
    assert (first.obsolete, first.revive) == ((), ())
    written = copy.read_bytes()
    second = generate_file(copy)
    assert (second.add, second.obsolete, second.revive) == ((), (), ())
    assert sorted(second.kept) == sorted(p.id for p in found)
    assert copy.read_bytes() == written  # nothing to change, nothing rewritten
    generated = [t for t in load_file(copy)[0].threat_scenarios if t.generated]
    assert len(generated) == len(found)
    assert not [t.id for t in generated if t.generated and t.generated.obsolete]
