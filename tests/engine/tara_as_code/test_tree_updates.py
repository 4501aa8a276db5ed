"""Changing fields of attack tree nodes (`trees.update_node(s)`): the edits land where addressed, the
threat given stays as it was, and a bad address or a gate in the changes is refused."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from opencsms.engine.tara_as_code import trees


def _threat() -> dict[str, Any]:
    return {
        "id": "TS-1",
        "name": "spoofing",
        "attack_paths": [
            {
                "id": "AP-a",
                "tree": {"and": [{"name": "s1", "cvss": "AV:L"}, {"or": [{"name": "s2"}, {"name": "s3"}]}]},
            },
            {"id": "AP-b", "tree": {"name": "single", "cvss": "AV:P"}},
        ],
    }


def test_several_nodes_change_and_the_threat_given_stays_as_it_was() -> None:
    threat = _threat()
    kept = copy.deepcopy(threat)
    edits = [("AP-a", "1.0", {"cvss": "AV:N"}), ("AP-a", "0", {"cvss": None}), ("AP-b", "", {"cvss": "AV:A"})]
    changed = trees.update_nodes(threat, edits)
    assert threat == kept
    expected = copy.deepcopy(kept)
    expected["attack_paths"][0]["tree"]["and"][1]["or"][0]["cvss"] = "AV:N"
    del expected["attack_paths"][0]["tree"]["and"][0]["cvss"]
    expected["attack_paths"][1]["tree"]["cvss"] = "AV:A"
    assert changed == expected
    one_by_one = threat
    for path, address, changes in edits:
        one_by_one = trees.update_node(one_by_one, path, address, changes)
    assert one_by_one == expected
    assert threat == kept


def test_a_value_given_is_copied_in() -> None:
    value = {"note": ["a"]}
    changed = trees.update_node(_threat(), "AP-b", "", {"extra": value})
    value["note"].append("b")
    assert changed["attack_paths"][1]["tree"]["extra"] == {"note": ["a"]}


@pytest.mark.parametrize(
    ("path", "address", "changes", "message"),
    [
        ("AP-x", "0", {"cvss": "AV:N"}, "has no attack path 'AP-x'"),
        ("AP-a", "2", {"cvss": "AV:N"}, "node '2' does not exist: the root has 2 children"),
        ("AP-a", "1.5", {"cvss": "AV:N"}, "node '1.5' does not exist: 1 has 2 children"),
        ("AP-a", "0.0", {"cvss": "AV:N"}, "node '0.0' does not exist: 0 has 0 children"),
        ("AP-a", "x", {"cvss": "AV:N"}, "use child indexes"),
        ("AP-a", "0", {"or": []}, "children are changed with add, move and remove"),
    ],
)
def test_refusals_name_the_problem(path: str, address: str, changes: dict[str, Any], message: str) -> None:
    threat = _threat()
    with pytest.raises(trees.TreeEditError, match=message):
        trees.update_nodes(threat, [("AP-b", "", {"cvss": "AV:A"}), (path, address, changes)])
    assert threat == _threat()
