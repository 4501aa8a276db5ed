"""Exports do not depend on the key order a store kept: the schema's order is written."""

from __future__ import annotations

import random
from typing import Any

from opencsms.engine.tara_as_code import dump_data, parse, read_document
from tests.paths import REFERENCE


def _shuffled(value: Any, rng: random.Random) -> Any:
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {key: _shuffled(item, rng) for key, item in items}
    if isinstance(value, list):
        return [_shuffled(item, rng) for item in value]
    return value


def test_a_document_with_shuffled_keys_dumps_to_the_same_bytes() -> None:
    data, model, _ = read_document(REFERENCE.read_bytes())
    canonical = dump_data(data)
    assert canonical.startswith("opencsms: tara/1\nid: connected-ev\nname: ")
    for seed in range(3):
        assert dump_data(_shuffled(data, random.Random(seed))) == canonical
    assert parse(canonical.encode())[0] == model


def test_unknown_keys_are_kept_after_the_known_ones() -> None:
    data, _, _ = read_document(REFERENCE.read_bytes())
    data["components"][0] = {"x_note": "kept", **data["components"][0]}
    dumped = dump_data(data)
    first = dumped[dumped.index("components:") :].split("\n- ")[1]
    assert first.splitlines()[0].startswith("id: ")
    assert "x_note: kept" in first
