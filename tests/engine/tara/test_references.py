"""References between TARA elements (engine.tara.references) on the reference model: the one table agrees
with what the TARA-as-code builder checks, and each element's "refers to" and "used by"."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from opencsms.engine.tara.model import ELEMENT_LISTS as LISTS
from opencsms.engine.tara.model import TaraModel
from opencsms.engine.tara.references import REFERENCES, references
from opencsms.engine.tara_as_code import build_base, load_file, parse
from opencsms.engine.tara_as_code.build import ELEMENTS
from tests.paths import REFERENCE

LIST_OF = {kind.declares: key for key, kind in ELEMENTS.items() if kind.declares}


@pytest.fixture(scope="module")
def model() -> TaraModel:
    return load_file(REFERENCE)[0]


def _every_field() -> bytes:
    """The reference model with a merged and a generated threat scenario: every field of the table used."""
    doc = yaml.safe_load(REFERENCE.read_text())
    first = {**doc["threat_scenarios"][0], "attack_paths": []}  # path ids are unique in a file
    merged = {**first, "id": "TS-MERGED", "status": "merged", "merged_into": first["id"], "rationale": "same"}
    interface = doc["interfaces"][0]["id"]
    generated = {
        **first,
        "id": "TS-GEN",
        "generated": {"rule": "R1", "asset": first["asset"], "interface": interface},
    }
    doc["threat_scenarios"] += [merged, generated]
    return json.dumps(doc).encode()  # JSON is YAML, without the aliases of shared values


@pytest.mark.parametrize("source", ["reference", "every field"])
def test_the_table_finds_exactly_the_references_the_builder_checks(
    monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    """Every reference the builder checks (to a list of elements) is in the table, and nothing else."""
    checked: list[tuple[Any, ...]] = []
    original = build_base.BuilderBase.ref

    def recording(self: Any, ref: str, kind: str, path: Any, lenient: bool = False) -> str:
        if kind in LIST_OF:
            checked.append((path[0], path[1], LIST_OF[kind], ref))
        return original(self, ref, kind, path, lenient)

    monkeypatch.setattr(build_base.BuilderBase, "ref", recording)
    built = load_file(REFERENCE)[0] if source == "reference" else parse(_every_field(), "every.yaml")[0]
    ids = {key: [e.id for e in getattr(built, key)] for key in LISTS}
    by_builder = {(key, ids[key][i], target_kind, target) for key, i, target_kind, target in checked}
    ours = {(link.kind, link.ref, link.target_kind, link.target) for link in references(built).links}
    assert len(ours) > 800
    assert ours == by_builder
    if source == "every field":
        fields = {(link.kind, link.field) for link in references(built).links}
        assert fields == {(kind, field) for kind, table in REFERENCES.items() for field, _, _ in table}


def test_a_goal_is_used_by_threat_scenarios_and_requirements(model: TaraModel) -> None:
    index = references(model)
    used = [(r.kind, r.ref, r.fields) for r in index.referrers("goals", "CG-01")]
    assert used == [
        ("threat_scenarios", "TS-01", ("treatment.goals",)),
        ("threat_scenarios", "TS-03", ("treatment.goals",)),
        ("threat_scenarios", "TS-04", ("treatment.goals",)),
        ("threat_scenarios", "TS-36", ("treatment.goals",)),
        ("requirements", "CR-01", ("goals",)),
        ("requirements", "CR-02", ("goals",)),
    ]
    assert index.refers_to("goals", "CG-01") == ()


def test_a_threat_scenario_refers_to_its_asset_damage_and_goals(model: TaraModel) -> None:
    index = references(model)
    threat = next(t for t in model.threat_scenarios if t.id == "TS-01")
    links = index.refers_to("threat_scenarios", "TS-01")
    assert ("assets", threat.asset) in {(link.target_kind, link.target) for link in links}
    assert {link.target for link in links if link.field == "damage_scenarios"} == set(threat.damage_scenarios)
    assert threat.treatment is not None
    assert [link.target for link in links if link.field == "treatment.goals"] == list(threat.treatment.goals)
    assert len(links) == len(set(links))  # an interface used by two steps is one reference
    assert all(link in index.used_by(link.target_kind, link.target) for link in links)


def test_an_element_referring_in_several_fields_is_named_once(model: TaraModel) -> None:
    index = references(model)
    for kind in LISTS:
        for element in getattr(model, kind):
            named = [(r.kind, r.ref) for r in index.referrers(kind, element.id)]
            assert len(named) == len(set(named))
            assert (kind, element.id) not in named
    component = model.requirements[0].components[0] if model.requirements[0].components else None
    if component:
        assert index.name("components", component)


def test_the_index_of_the_same_model_is_built_once(model: TaraModel) -> None:
    first = references(model)
    assert references(model) is first
    other = load_file(REFERENCE)[0]  # equal content, another object: its own index
    assert references(other) is not first
    assert references(other).links == first.links
