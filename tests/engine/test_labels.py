"""The engine's one table of labels: every enum value and vocabulary word has one, a method profile's
levels read as the profile words them, an unknown id as its words."""

from __future__ import annotations

from opencsms.engine.catalogue import vocabulary
from opencsms.engine.labels import label, labels, words
from opencsms.engine.method import load_profile
from opencsms.engine.tara.coverage import THREAT_STATES
from opencsms.engine.tara.model import CalMethod, FeasibilityMethod, ReviewStatus, Treatment


def test_every_enum_value_and_coverage_state_has_a_label() -> None:
    table = labels()
    for enum in (ReviewStatus, Treatment, FeasibilityMethod, CalMethod):
        for member in enum:
            assert table[member.value], member
            assert "_" not in table[member.value]
    assert {state: table[state] for state in THREAT_STATES} == {
        "uncovered": "Not covered",
        "pending": "Pending review",
        "covered": "Covered",
        "not_applicable": "Not applicable",
    }


def test_vocabulary_and_profile_levels_read_as_their_data_says() -> None:
    table = labels("iso21434")
    profile = load_profile("iso21434")
    assert label("very_low", table) == profile.feasibility.labels["very_low"] == "Very low"
    assert label("severe", table) == "Severe"
    assert label("one_month", table) == "<= 1 month"
    assert label("S", table) == "Spoofing"
    for entry in vocabulary().interface_kinds:
        assert table[entry.id] == entry.label


def test_lists_empty_values_and_unknown_ids() -> None:
    assert label(["reduce", "retain"]) == "Reduce, Retain"
    assert label(None) == label("") == ""
    assert label("annex_z_thing") == words("annex_z_thing") == "Annex z thing"
