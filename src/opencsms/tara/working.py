"""The working state of stored TARAs as the engine read and evaluated them, kept in this process.

Reading and evaluating the document of a TARA with 20,000 threat scenarios takes seconds, while a change
of one entry needs only the state before it (`engine.tara_as_code.incremental`, `engine.tara.evaluate.
reevaluate`). A state is kept one per TARA with the SHA-256 of its document, and used only while the
TARA's row holds that hash (`kept`), so it always stands for exactly the stored content, whichever process
or transaction wrote it. Memory is bounded: the states of the TARAs used last, `settings.TARA_KEPT_STATES`
of them (`OPENCSMS_KEPT_TARA_STATES`, 4 by default; about 110 MB for one of 20,000 threat scenarios).

This module sits below both services and selectors: `build` (a whole document: the import, a header
change, a read) and `advance` (one changed entry: an element or attack-tree edit) are the only ways a
state is made, and both keep what they made. It reads nothing from the database itself: callers pass the
document, or a function that assembles it when the engine needs it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from opencsms.engine import TaraResult, evaluate
from opencsms.engine.tara.evaluate import reevaluate
from opencsms.engine.tara_as_code import Parsed, parse_state
from opencsms.engine.tara_as_code.incremental import replace_entry
from opencsms.tara import mapping
from opencsms.tara.models import Element, Tara


@dataclass(frozen=True)
class Working:
    """A stored document as the engine read (`parsed`) and evaluated it (`result`), with its content
    hash and each list's entries as canonical JSON (for the next hash)."""

    sha256: str
    parsed: Parsed
    result: TaraResult
    entries: Mapping[str, tuple[bytes, ...]]


_states: OrderedDict[tuple[str, int], Working] = OrderedDict()
_lock = threading.Lock()


def _key(tara: Tara) -> tuple[str, int]:
    return (tara._state.db or "default", tara.pk)


def kept(tara: Tara) -> Working | None:
    """The working state of `tara`'s stored document (the hash its row holds), if this process has it."""
    with _lock:
        found = _states.get(_key(tara))
        if found is None or found.sha256 != tara.content_sha256:
            return None
        _states.move_to_end(_key(tara))
        return found


def keep(tara: Tara, state: Working) -> None:
    """Keep `state` as `tara`'s working state (replacing the one it came from)."""
    with _lock:
        _states[_key(tara)] = state
        _states.move_to_end(_key(tara))
        while len(_states) > settings.TARA_KEPT_STATES:
            _states.popitem(last=False)


def forget() -> None:
    """Drop every kept state (as a new process starts); for benchmarks and tests."""
    with _lock:
        _states.clear()


def build(tara: Tara, data: dict[str, Any]) -> Working:
    """The working state of the TARA's document `data`, built whole: parsed as the services parse it,
    evaluated, with each entry's canonical JSON and the content hash; kept for the next read or edit of
    that content. `ParseError` for a document the engine refuses."""
    parsed = parse_state(data, tara.name)
    entries = mapping.canonical_entries(data)
    sha256 = mapping.sha256_of(data, entries)  # mapping.content_sha256(data), each entry encoded once
    state = Working(sha256, parsed, evaluate(parsed.model, parsed.profile), entries)
    keep(tara, state)
    return state


def advance(
    tara: Tara,
    previous: Working,
    element: Element,
    before: dict[str, Any] | None,
    document: Callable[[], dict[str, Any]],
) -> Working:
    """The working state after `element`'s data changed from `before` (None: it was appended) in the
    `previous` state: the engine checks and builds that entry alone and rates again only what it touches
    (`document` is called only when the change needs the whole document); kept. The previous state is the
    stored content (its hash is the row's), so the entry lines up with it: the engine's `ValueError` for
    an entry that does not is a bug. `ParseError` for a change the engine refuses."""
    kind, index = str(element.kind), element.position
    parsed = replace_entry(previous.parsed, kind, index, old=before, new=element.data, document=document)
    result = reevaluate(previous.result, parsed.model, parsed.profile)
    items = previous.entries.get(kind, ())
    entries = {
        **previous.entries,
        kind: (*items[:index], mapping.canonical(element.data), *items[index + 1 :]),
    }
    state = Working(mapping.sha256_of(tara.header, entries), parsed, result, entries)
    keep(tara, state)
    return state
