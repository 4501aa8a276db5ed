"""Likely duplicates among generated proposals (engine.threatgen.duplicates): same asset, same property or
STRIDE, a common entry; with the reason shown on the generation page."""

from __future__ import annotations

from dataclasses import replace

from opencsms.engine.tara import model as m
from opencsms.engine.threatgen import likely_duplicates
from tests.factories.tara import make_model, make_path, make_step, make_threat


def _proposal(threat_id: str, interface: str | None, **fields: object) -> m.ThreatScenario:
    base = make_threat(threat_id, make_path(make_step(interface=interface)), **fields)  # type: ignore[arg-type]
    return replace(base, status=m.ReviewStatus.PROPOSED, generated=m.Provenance("R-1", base.asset, interface))


def test_a_proposal_through_the_same_entry_is_flagged_with_its_reason() -> None:
    existing = make_threat("TS-1", make_path(make_step(interface="IF-CELL")))
    found = likely_duplicates(make_model(existing, _proposal("TS-G1", "IF-CELL")))
    assert list(found) == ["TS-G1"]
    assert found["TS-G1"].existing == "TS-1"
    assert found["TS-G1"].reason == "same asset A-1, same property integrity and STRIDE T, through IF-CELL"


def test_another_entry_another_property_or_asset_is_not_a_duplicate() -> None:
    existing = make_threat("TS-1", make_path(make_step(interface="IF-CELL")))
    other_entry = _proposal("TS-G1", "IF-BT")
    other_property = _proposal("TS-G2", "IF-CELL", prop="confidentiality", stride="I")
    other_asset = replace(_proposal("TS-G3", "IF-CELL"), asset="A-2")
    model = make_model(existing, other_entry, other_property, other_asset)
    assert likely_duplicates(model) == {}


def test_without_an_entry_to_compare_asset_and_property_suffice() -> None:
    existing = make_threat("TS-1", make_path(make_step()))  # no interface on its step
    found = likely_duplicates(make_model(existing, _proposal("TS-G1", "IF-CAN")))
    assert found["TS-G1"].reason.endswith("no entry to compare")


def test_only_accepted_threats_count_as_existing_and_only_proposals_are_judged() -> None:
    rejected = replace(make_threat("TS-1"), status=m.ReviewStatus.REJECTED, rationale="n/a")
    other_proposal = _proposal("TS-G0", None)
    accepted_generated = replace(_proposal("TS-G2", None), status=m.ReviewStatus.ACCEPTED)
    found = likely_duplicates(make_model(rejected, other_proposal, accepted_generated))
    assert [(d.proposal, d.existing) for d in found.values()] == [("TS-G0", "TS-G2")]
