"""One changed entry of a valid TARA document, checked and built without reading the rest again.

A server keeps the parsed state of a stored document (`io.parse_state`: the model, its profile and every
id the document declares). When one entry of a list changes or is appended, `replace_entry` checks and
builds only that entry, with the same schema and the same builder methods as a whole-document parse
(`parse_state`): its shape, the ids it declares against every other id, its references and its ratings.

The other entries were valid and did not change, and references only ever name top-level ids, so a
changed entry can only make the document invalid through its own problems, except in three ways that
a whole parse decides by the order of declarations: an id declared twice, a reference to an attack step
(steps are declared while threat scenarios are built), and an id that an obsolete generated threat
scenario names leniently. In those cases, and when an entry's top-level id changes, the whole changed
document is parsed instead (`document()`), so the outcome is always exactly `parse_state`'s: the same
model, or `ParseError` with the same problems (tests/engine/tara_as_code/test_incremental.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from pydantic import ValidationError

from opencsms.engine import yamlsafe
from opencsms.engine.errors import ParseError
from opencsms.engine.tara_as_code.build import ELEMENTS, ElementBuilder
from opencsms.engine.tara_as_code.io import MAX_PROBLEMS, Parsed, parse_state, schema_problems


def _entry(state: Parsed, key: str, index: int, data: Any) -> Any:
    try:
        return ELEMENTS[key].doc.model_validate(data)
    except ValidationError as exc:
        source = yamlsafe.Document(data, state.file)
        raise ParseError(schema_problems(exc, source, (key, index))[:MAX_PROBLEMS]) from None


def _builder(state: Parsed, declared: tuple[dict[str, str], dict[str, tuple[int, int]]]) -> ElementBuilder:
    return ElementBuilder(state.method, yamlsafe.Document(None, state.file), state.profile, False, declared)


def _build(builder: ElementBuilder, key: str, index: int, entry: Any) -> Any:
    builder.declare_element(key, index, entry)
    if key == "threat_scenarios":
        builder.declare_paths(index, entry)
    return builder.element(key, index, entry)


def _declared_by_old(state: Parsed, key: str, index: int, old: Any) -> list[str]:
    """The ids the current entry declares (it is built alone; it must be the model's entry)."""
    scratch = _builder(state, ({}, {}))
    if _build(scratch, key, index, _entry(state, key, index, old)) != getattr(state.model, key)[index]:
        raise ValueError(f"{key}[{index}]: `old` is not the entry of the parsed document")
    return scratch.declared_here


def replace_entry(
    state: Parsed, key: str, index: int, *, old: Any, new: Any, document: Callable[[], Any]
) -> Parsed:
    """`state` with entry `index` of list `key` (`old`, as stored) now `new`; `old` None appends `new`
    at `index` (the list's length). `document()` is the whole changed document, read only when the
    outcome depends on the rest of it. Raises `ParseError` exactly as `parse_state(document())` does."""
    entries = getattr(state.model, key)
    if not (index == len(entries) if old is None else 0 <= index < len(entries)):
        raise ValueError(f"{key}[{index}]: no such entry to {'append' if old is None else 'replace'}")
    entry = _entry(state, key, index, new)
    kinds, locations = dict(state.kinds), dict(state.model.locations)
    if old is not None:
        if ELEMENTS[key].declares and entry.id != entries[index].id:
            return parse_state(document(), state.file)  # references to the old id may dangle now
        for gone in _declared_by_old(state, key, index, old):
            del kinds[gone], locations[gone]
    builder = _builder(state, (kinds, locations))
    built = _build(builder, key, index, entry)
    whole_decides = (
        builder.late_references
        or any(p.rule == "duplicate-id" for p in builder.problems)
        or not state.unresolved.isdisjoint(builder.declared_here)
    )
    if whole_decides:
        return parse_state(document(), state.file)
    if builder.problems:
        raise ParseError(builder.problems[:MAX_PROBLEMS])
    changed = (*entries[:index], built, *entries[index + 1 :])
    lists: dict[str, Any] = {key: changed}
    model = replace(state.model, **lists, locations=locations)
    return replace(state, model=model, kinds=kinds, unresolved=state.unresolved | builder.unresolved)
