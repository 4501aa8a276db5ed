"""The change summariser (core.changes): only what differs, located the way the element page shows it."""

from __future__ import annotations

import copy
from typing import Any

import yaml

from opencsms.core.changes import SHOWN_CHARS, Change, shown, summarise
from tests.paths import REFERENCE


def threat() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(REFERENCE.read_text())["threat_scenarios"][0]
    return data


def test_a_rated_node_is_one_change_located_by_path_and_node_name() -> None:
    before = threat()
    after = copy.deepcopy(before)
    node = after["attack_paths"][0]["tree"]["and"][1]
    old = node["attack_potential"]["elapsed_time"]
    node["attack_potential"]["elapsed_time"] = "beyond_six_months"
    found = summarise(before, after)
    assert found == [
        Change(
            (
                "attack_paths",
                before["attack_paths"][0]["id"],
                "tree",
                "and",
                node["name"],
                "attack_potential",
            ),
            "elapsed_time",
            old,
            "beyond_six_months",
        )
    ]
    assert found[0].kind == "changed"
    assert found[0].location.startswith("attack_paths > AP-01a > tree > and > ")


def test_an_inserted_node_is_one_addition_not_the_whole_list() -> None:
    """One line for the new node, its ids (the vector) by their labels."""
    before = threat()
    after = copy.deepcopy(before)
    after["attack_paths"][0]["tree"]["and"].insert(1, {"name": "Open the charge port", "vector": "physical"})
    found = summarise(before, after)
    assert [(c.kind, c.field, c.after_text) for c in found] == [
        ("added", "Open the charge port", "name: Open the charge port; vector: Physical")
    ]


def test_a_removed_node_and_a_changed_gate() -> None:
    before = threat()
    removed = copy.deepcopy(before)
    gone = removed["attack_paths"][0]["tree"]["and"].pop()
    assert [(c.kind, c.field) for c in summarise(before, removed)] == [("removed", gone["name"])]
    regated = copy.deepcopy(before)
    tree = regated["attack_paths"][0]["tree"]
    tree["or"] = tree.pop("and")
    assert [(c.location, c.field, c.before, c.after) for c in summarise(before, regated)] == [
        ("attack_paths > AP-01a > tree", "gate", "and", "or")
    ]


def test_entries_with_ids_are_matched_by_id_and_fields_by_name() -> None:
    before = {"name": "x", "goals": [{"id": "CG-1", "text": "a"}, {"id": "CG-2", "text": "b"}], "n": 1}
    after = {"name": "x", "goals": [{"id": "CG-2", "text": "B"}, {"id": "CG-3", "text": "c"}], "extra": True}
    found = [(c.location, c.field, c.kind, c.before_text, c.after_text) for c in summarise(before, after)]
    assert found == [
        ("", "extra", "added", "", "yes"),  # fields in name order, entries in the list's order
        ("goals > CG-2", "text", "changed", "b", "B"),
        ("goals", "CG-3", "added", "", "id: CG-3; text: c"),
        ("goals", "CG-1", "removed", "id: CG-1; text: a", ""),
        ("", "n", "removed", "1", ""),
    ]


def test_created_and_deleted_objects_list_their_fields_and_equal_ones_nothing() -> None:
    assert [(c.field, c.after) for c in summarise(None, {"a": 1, "b": [1, 2]})] == [("a", 1), ("b", [1, 2])]
    assert [(c.field, c.kind) for c in summarise({"a": 1}, None)] == [("a", "removed")]
    assert summarise({"a": [1, {"b": 2}]}, {"a": [1, {"b": 2}]}) == []
    assert summarise("old", "new") == [Change((), "value", "old", "new")]


def test_values_are_shown_compactly_and_cut() -> None:
    assert shown({"a": 1, "b": [1, "x"], "c": {"d": False}}) == "a: 1; b: 1, x; c: d: no"
    assert shown(None) == ""
    assert len(shown("x" * 1000)) == SHOWN_CHARS
