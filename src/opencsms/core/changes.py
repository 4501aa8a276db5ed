"""What one audit record changed, for people: only the parts that differ, before -> after, located in the
object the way its page shows it.

A record keeps the whole `before` and `after` (the hash chain needs them whole). `summarise` walks both:
mappings key by key; lists of entries with an `id` (attack paths, goals) entry by entry; other lists of
mappings (the nodes of an attack tree) aligned on what did not change, so an edited node is one change and
an added one one addition, not the whole list again. Fields come in name order (jsonb keeps none). Each
`Change` says where (`where`: the steps down, an entry by its id, a node by its name), which field, and
the value before and after (`None`: absent).
Pure Python: the history pages and the CSV export use it; tests/core/test_changes.py pins it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from opencsms.engine.labels import labels

SHOWN_CHARS = 300  # a value longer than this is cut in the pages (the record keeps it whole)
_ABSENT = object()


@dataclass(frozen=True)
class Change:
    where: tuple[str, ...]  # the steps from the object to the changed part ("attack_paths", "AP-01a", ...)
    field: str
    before: Any  # None when the part is new
    after: Any  # None when the part was removed

    @property
    def kind(self) -> str:
        if self.before is None:
            return "added"
        return "removed" if self.after is None else "changed"

    @property
    def location(self) -> str:
        return " > ".join(self.where)

    @property
    def before_text(self) -> str:
        return shown(self.before)

    @property
    def after_text(self) -> str:
        return shown(self.after)


def summarise(before: Any, after: Any) -> list[Change]:
    """The changes between two snapshots of an object (either may be None: created or deleted)."""
    found: list[Change] = []
    _walk((), _ABSENT if before is None else before, _ABSENT if after is None else after, found)
    return found


def _walk(path: tuple[str, ...], before: Any, after: Any, found: list[Change]) -> None:
    if _value(before) == _value(after):  # equal, or absent on one side and null on the other
        return
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        before = _gate(path, before, after, found)
        for key in sorted({*before, *after}, key=str):  # sorted: PostgreSQL's jsonb keeps no key order
            _walk((*path, str(key)), before.get(key, _ABSENT), after.get(key, _ABSENT), found)
    elif _entries(before) and _entries(after):
        _list(path, before, after, found)
    elif not path and (isinstance(before, Mapping) or isinstance(after, Mapping)):
        # the object itself was created or deleted: each of its fields
        _walk(path, before if before is not _ABSENT else {}, after if after is not _ABSENT else {}, found)
    elif not path:
        found.append(Change((), "value", _value(before), _value(after)))
    else:
        found.append(Change(path[:-1], path[-1], _value(before), _value(after)))


GATES = ("and", "or")  # an attack tree node's children are under its gate


def _gate(
    path: tuple[str, ...], before: Mapping[str, Any], after: Mapping[str, Any], found: list[Change]
) -> Any:
    """A node whose gate changed (`and` <-> `or`): one change of its gate, then its children compared."""
    old = next((g for g in GATES if g in before), None)
    new = next((g for g in GATES if g in after), None)
    if old is None or new is None or old == new or new in before or old in after:
        return before
    found.append(Change(path, "gate", old, new))
    return {(new if key == old else key): value for key, value in before.items()}


def _entries(value: Any) -> bool:
    """A list of mappings (possibly empty): walked entry by entry."""
    return isinstance(value, list) and all(isinstance(item, Mapping) for item in value)


def _label(item: Mapping[str, Any], index: int) -> str:
    for key in ("id", "name", "text"):
        if item.get(key):
            return str(item[key])[:80]
    return f"#{index + 1}"


def _list(path: tuple[str, ...], before: list[Any], after: list[Any], found: list[Change]) -> None:
    if before and after and all("id" in item for item in [*before, *after]):
        by_id = {str(item["id"]): item for item in before}
        to_id = {str(item["id"]): item for item in after}
        for ref in [*to_id, *(r for r in by_id if r not in to_id)]:
            _item((*path, ref), by_id.get(ref, _ABSENT), to_id.get(ref, _ABSENT), found)
        return
    old_keys = [json.dumps(item, sort_keys=True, default=str) for item in before]
    new_keys = [json.dumps(item, sort_keys=True, default=str) for item in after]
    for op, i1, i2, j1, j2 in SequenceMatcher(None, old_keys, new_keys, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        olds, news = before[i1:i2], after[j1:j2]
        for k in range(max(len(olds), len(news))):
            old: Any = olds[k] if k < len(olds) else _ABSENT
            new: Any = news[k] if k < len(news) else _ABSENT
            named = new if new is not _ABSENT else old
            _item((*path, _label(named, (j1 if new is not _ABSENT else i1) + k)), old, new, found)


def _item(path: tuple[str, ...], before: Any, after: Any, found: list[Change]) -> None:
    """An entry of a list: walked field by field when it changed, one change when it came or went."""
    if before is _ABSENT or after is _ABSENT:
        found.append(Change(path[:-1], path[-1], _value(before), _value(after)))
    else:
        _walk(path, before, after, found)


def _value(value: Any) -> Any:
    return None if value is _ABSENT else value


def shown(value: Any) -> str:
    """A value as a page shows it: a known id as its label, other text as is, a list or mapping as
    compact YAML-like text, cut."""
    if value is None:
        return ""
    if isinstance(value, str):
        text = labels().get(value, value)  # a known id reads as its label (`one_week`); other text as is
    elif isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, Mapping):
        text = "; ".join(f"{key}: {shown(value[key])}" for key in sorted(value, key=str))
    elif isinstance(value, list):
        text = ", ".join(f"({shown(item)})" if isinstance(item, Mapping) else shown(item) for item in value)
    else:
        text = str(value)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"
