"""How rules meet the architecture: coverage of baseline rules (by threat scenarios in the file and by the
specific rules' proposals of the same run), the item boundary, `anywhere` against local interfaces, damage
scenarios from the asset's damage map, and template substitution.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from opencsms.engine.tara import model as m
from opencsms.engine.threatgen import RuleSet, load_rules, propose
from tests.engine.threatgen.builders import arch, proposals, threat

REJECTED, PROPOSED, ACCEPTED = m.ReviewStatus.REJECTED, m.ReviewStatus.PROPOSED, m.ReviewStatus.ACCEPTED
BOTH = ("integrity", "availability")


# -- only_if_uncovered -------------------------------------------------------------------------------------


def test_an_accepted_hand_written_threat_covers_its_asset_and_property() -> None:
    model = arch(BOTH, threats=(threat("TS-1", "integrity"),))
    assert proposals(model, "STRIDE-T") == []
    assert [p.id for p in proposals(model, "STRIDE-D")] == ["G-STRIDE-D-A-1"]  # other property: uncovered


def test_a_rejected_threat_does_not_cover() -> None:
    model = arch(BOTH, threats=(threat("TS-1", "integrity", REJECTED),))
    assert [p.id for p in proposals(model, "STRIDE-T")] == ["G-STRIDE-T-A-1"]


def test_coverage_counts_only_accepted_threats_per_property() -> None:
    model = arch(BOTH, threats=(threat("TS-1", "integrity", REJECTED), threat("TS-2", "availability")))
    assert [p.rule for p in proposals(model) if p.rule.startswith("STRIDE")] == ["STRIDE-T"]


def test_a_threat_on_another_asset_does_not_cover() -> None:
    model = arch(BOTH, threats=(threat("TS-1", "integrity", asset="A-9"),))
    assert [p.id for p in proposals(model, "STRIDE-T")] == ["G-STRIDE-T-A-1"]


def test_a_proposed_threat_of_a_specific_rule_covers_but_a_baseline_one_does_not() -> None:
    specific = threat("G-MILEAGE-FRAUD-A-1", "integrity", PROPOSED, m.Provenance("MILEAGE-FRAUD", "A-1"))
    # the asset lost its odometer tag, the rule no longer fires, but its threat is not yet marked obsolete
    assert proposals(arch(BOTH, threats=(specific,)), "STRIDE-T") == []
    baseline = threat("G-STRIDE-T-A-1", "integrity", PROPOSED, m.Provenance("STRIDE-T", "A-1"))
    # the baseline threat must not cover itself, or a regeneration would make it obsolete
    assert [p.id for p in proposals(arch(BOTH, threats=(baseline,)), "STRIDE-T")] == ["G-STRIDE-T-A-1"]


def test_an_obsolete_generated_threat_does_not_cover() -> None:
    gone = threat("G-X", "integrity", PROPOSED, m.Provenance("MILEAGE-FRAUD", "A-1", obsolete=True))
    assert [p.id for p in proposals(arch(BOTH, threats=(gone,)), "STRIDE-T")] == ["G-STRIDE-T-A-1"]


def test_a_baseline_rule_skips_what_a_specific_rule_proposes_in_the_same_run() -> None:
    found = proposals(arch(BOTH, ("odometer",)))
    # MILEAGE-FRAUD covers integrity; availability stays with the baseline; the list keeps the rule order
    assert [p.id for p in found] == ["G-STRIDE-D-A-1", "G-MILEAGE-FRAUD-A-1"]


def test_specific_rules_cover_even_when_listed_after_the_baseline(tmp_path: Path) -> None:
    path = tmp_path / "order.rules.yaml"
    path.write_text(ORDER_RULES, encoding="utf-8")
    found = propose(arch(BOTH), load_rules((path,), shipped=False))
    assert [(p.rule, p.property) for p in found] == [("BASE-D", "availability"), ("LATER", "integrity")]


def test_generation_is_idempotent_for_proposed_and_accepted_threats() -> None:
    model = arch(("integrity", "availability", "confidentiality"), ("odometer", "personal_data"))
    first = proposals(model)
    assert {p.rule for p in first} >= {"MILEAGE-FRAUD", "STRIDE-D", "PRIVACY-AT-REST"}
    written = tuple(  # as a regeneration writes them; a person accepted every other one
        threat(p.id, p.property, PROPOSED if i % 2 else ACCEPTED, m.Provenance(p.rule, p.asset, p.interface))
        for i, p in enumerate(first)
    )
    assert [p.id for p in proposals(replace(model, threat_scenarios=written))] == [p.id for p in first]


def test_rules_without_only_if_uncovered_ignore_coverage() -> None:
    model = arch(tags=("odometer",), threats=(threat("TS-1", "integrity"),))
    assert [p.id for p in proposals(model, "MILEAGE-FRAUD")] == ["G-MILEAGE-FRAUD-A-1"]


# -- item boundary -----------------------------------------------------------------------------------------


def test_an_asset_on_a_component_outside_the_item_gets_no_proposals() -> None:
    assert proposals(arch(BOTH, ("odometer", "firmware"), kind="obd", in_scope=False)) == []
    assert [p.id for p in proposals(arch(BOTH, in_scope=True))] == ["G-STRIDE-T-A-1", "G-STRIDE-D-A-1"]


def test_an_asset_without_component_is_inside_the_item() -> None:
    found = proposals(arch(BOTH, on_component=False, in_scope=False))
    assert [p.id for p in found] == ["G-STRIDE-T-A-1", "G-STRIDE-D-A-1"]


# -- anywhere against local interfaces ---------------------------------------------------------------------


def _two_cellular_links(on_component: bool = True) -> m.TaraModel:
    """A firmware/remote-function asset on MAIN; one cellular link on MAIN, one on OTHER."""
    model = arch(("integrity", "authenticity"), ("firmware", "remote_function"), on_component=on_component)
    links = (
        m.Interface("IF-MAIN", "Main modem", "cellular", ("MAIN",), True),
        m.Interface("IF-OTHER", "Other modem", "cellular", ("OTHER",), True),
    )
    return replace(model, interfaces=links)


def test_a_local_rule_matches_only_interfaces_of_the_assets_component() -> None:
    assert [p.interface for p in proposals(_two_cellular_links(), "REMOTE-ENTRY")] == ["IF-MAIN"]


def test_an_anywhere_rule_matches_every_interface_of_the_item() -> None:
    found = proposals(_two_cellular_links(), "REMOTE-COMMAND")
    assert [p.id for p in found] == ["G-REMOTE-COMMAND-A-1-IF-MAIN", "G-REMOTE-COMMAND-A-1-IF-OTHER"]


def test_an_asset_without_component_gets_anywhere_rules_but_no_local_ones() -> None:
    model = _two_cellular_links(on_component=False)
    assert proposals(model, "REMOTE-ENTRY") == []
    assert [p.interface for p in proposals(model, "REMOTE-COMMAND")] == ["IF-MAIN", "IF-OTHER"]


def test_an_interface_shared_by_two_components_counts_for_both() -> None:
    model = replace(
        arch(tags=("firmware",)), interfaces=(m.Interface("IF-S", "Shared", "wifi", ("OTHER", "MAIN"), True),)
    )
    assert [p.id for p in proposals(model, "REMOTE-ENTRY")] == ["G-REMOTE-ENTRY-A-1-IF-S"]


# -- damage map --------------------------------------------------------------------------------------------


def test_the_damage_map_feeds_the_damage_scenarios_of_each_property() -> None:
    model = arch(
        BOTH,
        ("message",),
        kind="can",
        external=False,
        damage={"integrity": ("DS-1", "DS-2"), "availability": ("DS-3",)},
    )
    by_rule = {p.rule: p.damage_scenarios for p in proposals(model)}
    assert by_rule == {"MSG-INJECTION": ("DS-1", "DS-2"), "BUS-FLOODING": ("DS-3",)}


def test_a_property_missing_from_the_damage_map_gets_no_damage_scenario() -> None:
    model = arch(BOTH, damage={"availability": ("DS-3",)})
    assert {p.rule: p.damage_scenarios for p in proposals(model)} == {"STRIDE-T": (), "STRIDE-D": ("DS-3",)}


ORDER_RULES = """\
urn: urn:opencsms:rules:order-test
version: "1"
name: Order test rules
cites: tests
rules:
  - id: BASE
    name: Baseline first in the file
    cites: tests
    match: {asset: {properties: [integrity]}, only_if_uncovered: true}
    threat: {property: integrity, stride: T, annex5: ["5.2"], name: "Tampering with $asset"}
  - id: BASE-D
    name: Baseline for availability
    cites: tests
    match: {asset: {properties: [availability]}, only_if_uncovered: true}
    threat: {property: availability, stride: D, annex5: ["24.1"], name: "$asset made unavailable"}
  - id: LATER
    name: Specific rule after the baseline
    cites: tests
    match: {asset: {properties: [integrity]}}
    threat: {property: integrity, stride: T, annex5: ["5.2"], name: "$asset changed"}
"""


# -- templates ---------------------------------------------------------------------------------------------

TEMPLATE_RULES = """\
urn: urn:opencsms:rules:template-test
version: "1"
name: Template test rules
cites: tests
rules:
  - id: ALL-PLACEHOLDERS
    name: Every placeholder
    cites: tests
    match: {asset: {properties: [integrity]}, interface: {kinds: [can, wifi]}}
    threat: {property: integrity, stride: T, annex5: ["5.2"], mitigations: [M7],
             name: "$asset on $component via $interface ($interface_kind)",
             cause: "${asset}: reached over $interface_kind, costs $$5"}
  - id: NO-INTERFACE
    name: No interface
    cites: tests
    match: {asset: {properties: [integrity]}}
    threat: {property: integrity, stride: T, annex5: ["5.2"], name: "$asset in $component [$interface]"}
"""


@pytest.fixture
def template_rules(tmp_path: Path) -> RuleSet:
    path = tmp_path / "template.rules.yaml"
    path.write_text(TEMPLATE_RULES, encoding="utf-8")
    return load_rules((path,), shipped=False)


def test_templates_substitute_asset_component_interface_and_kind(template_rules: RuleSet) -> None:
    [first, second] = propose(arch(kind="wifi"), template_rules)
    assert first.id == "G-ALL-PLACEHOLDERS-A-1-IF-X"
    assert first.name == "Test asset on Main unit via Test link (wifi)"
    assert first.cause == "Test asset: reached over wifi, costs $5"
    assert first.mitigations == ("M7",)
    assert second.name == "Test asset in Main unit []"  # no interface: empty


def test_without_a_component_the_template_says_the_item(template_rules: RuleSet) -> None:
    [only] = propose(arch(on_component=False), template_rules)
    assert only.name == "Test asset in the item []"


def test_proposals_come_in_rule_order_then_asset_order() -> None:
    model = arch(BOTH, ("log",))
    second = replace(model.assets[0], id="A-2", name="Second")
    found = proposals(replace(model, assets=(*model.assets, second)))
    assert [p.id for p in found] == [  # LOG-TAMPERING covers integrity, so no STRIDE-T
        "G-STRIDE-D-A-1",
        "G-STRIDE-D-A-2",
        "G-LOG-TAMPERING-A-1",
        "G-LOG-TAMPERING-A-2",
    ]
