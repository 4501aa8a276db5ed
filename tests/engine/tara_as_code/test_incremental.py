"""One changed entry checked and evaluated alone gives exactly what the whole document gives.

The property tests change random entries of the reference model at random (values taken from elsewhere
in the document, ids, levels, odd values; keys dropped or added; list items copied or removed; entries
appended), in sequences, and compare `replace_entry` + `reevaluate` with `parse_state` + `evaluate` of
the whole changed document: the same problems, or the same model, declarations and evaluation.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from opencsms.engine.errors import ParseError
from opencsms.engine.tara.evaluate import evaluate, reevaluate
from opencsms.engine.tara.result import TaraResult
from opencsms.engine.tara_as_code import Parsed, parse_state, read_document
from opencsms.engine.tara_as_code.build import ELEMENTS
from opencsms.engine.tara_as_code.incremental import replace_entry
from tests.paths import REFERENCE

Doc = dict[str, Any]
Place = tuple[str | int, ...]


def _reference() -> Doc:
    data: Doc = read_document(REFERENCE.read_bytes())[0]
    return data


def _with_obsolete(doc: Doc) -> Doc:
    """An obsolete generated threat scenario naming ids nothing declares (allowed: it is obsolete)."""
    threat = copy.deepcopy(doc["threat_scenarios"][0])
    threat.update(id="TS-OBS", asset="A-GONE", damage_scenarios=["DS-GONE"], attack_paths=[])
    threat["generated"] = {"rule": "R-1", "asset": "A-GONE", "interface": "IF-GONE", "obsolete": True}
    return {**doc, "threat_scenarios": [*doc["threat_scenarios"], threat]}


def _walk(value: Any, place: Place = ()) -> list[tuple[Place, Any]]:
    found = [(place, value)]
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in items:
        found += _walk(child, (*place, key))
    return found


def _with_step_ids(doc: Doc) -> Doc:
    """Every attack-tree node with an id (steps are declared while threat scenarios are built)."""
    doc = copy.deepcopy(doc)
    for threat in doc["threat_scenarios"]:
        for path in threat["attack_paths"]:
            nodes = [v for _, v in _walk(path["tree"]) if isinstance(v, dict) and "name" in v]
            for k, node in enumerate(nodes):
                node["id"] = f"{path['id']}.n{k}"
    return doc


BASES = [_reference(), _with_obsolete(_reference()), _with_step_ids(_with_obsolete(_reference()))]
LISTS = ["threat_scenarios"] * 4 + ["damage_scenarios", "interfaces", "assets"] * 2 + list(ELEMENTS)
REFERENCES = {
    "asset",
    "component",
    "components",
    "interface",
    "controls",
    "goals",
    "claims",
    "source",
    "target",
}
REFERENCES |= {"damage_scenarios", "functions", "merged_into", "id"}
ODD: list[Any] = ["A-GONE", "IF-GONE", "DS-GONE", "X-NEW", "", 5, None, True, "bogus"]


def _key(place: Place) -> str:
    return next((str(p) for p in reversed(place) if isinstance(p, str)), "")


def _pools(doc: Doc) -> tuple[dict[tuple[str, str], list[Any]], list[Any], list[Any]]:
    """The document's scalar values by (list, key they stand under); all of them; every id."""
    by_key: dict[tuple[str, str], list[Any]] = {}
    for place, value in _walk(doc):
        if not isinstance(value, dict | list) and place:
            by_key.setdefault((str(place[0]), _key(place[1:])), []).append(value)
    every = sorted({repr(v): v for vs in by_key.values() for v in vs}.values(), key=repr)
    ids = sorted({v for (_, key), vs in by_key.items() if key == "id" for v in vs} | set(ODD[:4]))
    return by_key, every, ids


POOLS = _pools(BASES[2])


def _value(data: st.DataObject, key: tuple[str, str]) -> Any:
    """Mostly a value of the same kind as the one replaced: another id for a reference or an id."""
    by_key, every, ids = POOLS
    pools = [ids, ids, by_key.get(key) or ODD] if key[1] in REFERENCES else [by_key.get(key) or ODD] * 4
    return data.draw(st.sampled_from(data.draw(st.sampled_from([*pools, every, ODD]))))


def _at(entry: Any, place: Place) -> Any:
    for key in place:
        entry = entry[key]
    return entry


def _mutate(data: st.DataObject, key: str, entry: Any) -> None:
    """One random change of an entry of list `key`, in place."""
    places = _walk(entry)[1:]
    dicts = [p for p, v in [((), entry), *places] if isinstance(v, dict) and v]
    lists = [p for p, v in places if isinstance(v, list) and v]
    leaves = [p for p, v in places if not isinstance(v, dict | list)] or [p for p, _ in places]
    refs = [p for p in leaves if _key(p) in REFERENCES] or leaves
    ops = ["set leaf"] * 4 + ["set ref"] * 2 + ["set", "drop", "add id", "copy item", "remove item"]
    op = data.draw(st.sampled_from(ops))
    if op.startswith("set") and places:
        choices = {"set leaf": leaves, "set ref": refs}.get(op, [p for p, _ in places])
        place = data.draw(st.sampled_from(choices))
        _at(entry, place[:-1])[place[-1]] = _value(data, (key, _key(place)))
    elif op == "drop" and dicts:
        target = _at(entry, data.draw(st.sampled_from(dicts)))
        del target[data.draw(st.sampled_from(sorted(target)))]
    elif op == "add id" and dicts:
        _at(entry, data.draw(st.sampled_from(dicts)))["id"] = _value(data, (key, "id"))
    elif lists and op in ("copy item", "remove item"):
        items = _at(entry, data.draw(st.sampled_from(lists)))
        index = data.draw(st.integers(0, len(items) - 1))
        if op == "copy item":
            items.append(copy.deepcopy(items[index]))
        elif len(items) > 1:
            del items[index]


def _appended(data: st.DataObject, entry: Any) -> None:
    """A copy of an entry made new: another id, and mostly other ids inside (attack paths, steps)."""
    if not isinstance(entry, dict):
        return
    entry["id"] = data.draw(st.sampled_from(["NEW-1", "NEW-2", entry.get("id"), *ODD[:3]]))
    if data.draw(st.booleans()):
        for _, value in _walk(entry)[1:]:
            if isinstance(value, dict) and "id" in value:
                value["id"] = f"{value['id']}-{entry['id']}"


def _edit(data: st.DataObject, doc: Doc) -> tuple[str, int, Any, Any]:
    """(list, index, old entry or None to append, new entry)."""
    key = data.draw(st.sampled_from([k for k in LISTS if doc.get(k)]))
    entries = doc[key]
    index = data.draw(st.integers(0, len(entries) - 1))
    new = copy.deepcopy(entries[index])
    append = data.draw(st.integers(0, 4)) == 0
    if append:
        _appended(data, new)
    for _ in range(data.draw(st.integers(0 if append else 1, 3))):
        _mutate(data, key, new)
    return (key, len(entries), None, new) if append else (key, index, entries[index], new)


def _changed(doc: Doc, key: str, index: int, new: Any) -> Doc:
    entries = list(doc[key])
    entries[index : index + 1] = [new]
    return {**doc, key: entries}


def _start(doc: Doc) -> tuple[Doc, Parsed, TaraResult]:
    state = parse_state(doc)
    return doc, state, evaluate(state.model, state.profile)


STARTS = [_start(doc) for doc in BASES]


def _outcome(parse: Callable[[], Parsed]) -> Parsed | ParseError:
    try:
        return parse()
    except ParseError as exc:
        return exc


def test_changed_entries_check_and_evaluate_exactly_like_the_whole_document() -> None:
    paths: Counter[str] = Counter()
    _like_the_whole_document(paths)
    # the comparison means something only where the changed entry was checked alone, both ways
    assert paths["accepted, whole read: False"] > 0
    assert paths["refused, whole read: False"] > 0


@given(data=st.data())
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def _like_the_whole_document(paths: Counter[str], data: st.DataObject) -> None:
    """Random edit sequences, each edit by `replace_entry` and by the whole document; `paths` counts
    the outcomes (accepted or refused) and whether the whole document was read."""
    doc, state, result = data.draw(st.sampled_from(STARTS))
    for _ in range(data.draw(st.integers(1, 4))):
        key, index, old, new = _edit(data, doc)
        changed = _changed(doc, key, index, new)
        read: list[Doc] = []
        whole = lambda: read.append(changed) or changed  # noqa: B023, E731
        expected = _outcome(lambda: parse_state(changed))  # noqa: B023 (called at once)
        got = _outcome(lambda: replace_entry(state, key, index, old=old, new=new, document=whole))  # noqa: B023
        path = f"{'refused' if isinstance(expected, ParseError) else 'accepted'}, whole read: {bool(read)}"
        event(path)
        paths[path] += 1
        if isinstance(expected, ParseError):
            assert isinstance(got, ParseError), f"accepted what the whole document refuses: {expected}"
            assert got.problems == expected.problems
            continue
        assert isinstance(got, Parsed), f"refused what the whole document accepts: {got}"
        assert got.model == expected.model
        assert got.model.locations == expected.model.locations
        assert got.kinds == expected.kinds
        result = reevaluate(result, got.model, got.profile)
        assert result == evaluate(expected.model, expected.profile)
        doc, state = changed, got


def _threat_changed(doc: Doc, index: int, **changes: Any) -> tuple[Any, Doc]:
    new = {**copy.deepcopy(doc["threat_scenarios"][index]), **changes}
    return new, _changed(doc, "threat_scenarios", index, new)


def _not_read() -> Doc:
    raise AssertionError("the whole document was read")


def test_a_renamed_threat_scenario_is_checked_alone() -> None:
    doc = BASES[0]
    state = parse_state(doc)
    new, changed = _threat_changed(doc, 3, name="renamed")
    got = replace_entry(
        state, "threat_scenarios", 3, old=doc["threat_scenarios"][3], new=new, document=_not_read
    )
    assert got.model == parse_state(changed).model
    assert got.model.threat_scenarios[3].name == "renamed"
    assert got.model.threat_scenarios[4] is state.model.threat_scenarios[4]


def test_a_dangling_reference_is_refused_alone_with_the_whole_documents_problem() -> None:
    doc = BASES[0]
    state = parse_state(doc)
    new, changed = _threat_changed(doc, 3, asset="NO-SUCH-ASSET")
    with pytest.raises(ParseError) as whole:
        parse_state(changed)
    with pytest.raises(ParseError) as alone:
        replace_entry(
            state, "threat_scenarios", 3, old=doc["threat_scenarios"][3], new=new, document=_not_read
        )
    assert alone.value.problems == whole.value.problems
    assert "NO-SUCH-ASSET" in str(alone.value)


def test_a_duplicate_id_is_decided_by_the_whole_document() -> None:
    doc = BASES[0]
    state = parse_state(doc)
    path = copy.deepcopy(doc["threat_scenarios"][3]["attack_paths"][0])
    path["tree"]["id"] = doc["components"][0]["id"]
    new, changed = _threat_changed(doc, 3, attack_paths=[path])
    read: list[bool] = []

    def whole() -> Doc:
        read.append(True)
        return changed

    with pytest.raises(ParseError, match="duplicate-id"):
        replace_entry(state, "threat_scenarios", 3, old=doc["threat_scenarios"][3], new=new, document=whole)
    assert read == [True]


def test_an_old_entry_that_is_not_the_stored_one_is_a_programming_error() -> None:
    doc = BASES[0]
    state = parse_state(doc)
    new, _ = _threat_changed(doc, 3, name="renamed")
    with pytest.raises(ValueError, match="not the entry"):
        replace_entry(
            state, "threat_scenarios", 3, old=doc["threat_scenarios"][4], new=new, document=_not_read
        )


def test_reevaluation_rates_again_only_the_threat_scenarios_a_change_touches() -> None:
    doc = BASES[0]
    state = parse_state(doc)
    before = evaluate(state.model, state.profile)
    damage = copy.deepcopy(doc["damage_scenarios"][0])
    damage["impact"] = dict.fromkeys(damage["impact"], "negligible")
    changed = _changed(doc, "damage_scenarios", 0, damage)
    after = replace_entry(
        state, "damage_scenarios", 0, old=doc["damage_scenarios"][0], new=damage, document=_not_read
    )
    result = reevaluate(before, after.model, after.profile)
    assert result == evaluate(parse_state(changed).model, state.profile)
    touched = {t.id for t in after.model.threat_scenarios if damage["id"] in t.damage_scenarios}
    assert touched
    for threat_id, threat in result.threats.items():
        assert (threat is before.threats[threat_id]) == (threat_id not in touched)
