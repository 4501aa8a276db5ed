"""The working state of stored TARAs as the engine read and evaluated them, kept in this process.

Reading and evaluating the document of a TARA with 20,000 threat scenarios takes seconds, while a change
of one entry needs only the state before it (`engine.tara_as_code.incremental`, `engine.tara.evaluate.
reevaluate`). The services keep the state of the document they stored, and reads the one they built
(`keep`), one per TARA, with the SHA-256 of that document: it is used only while the TARA's row holds that
hash (`working`), so it always stands for exactly the stored content, whichever process or transaction
wrote it. Memory is bounded: the states of the TARAs used last, `settings.TARA_KEPT_STATES` of them
(`OPENCSMS_KEPT_TARA_STATES`, 4 by default; about 110 MB for one of 20,000 threat scenarios).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings

from opencsms.engine import TaraResult
from opencsms.engine.tara_as_code import Parsed
from opencsms.tara.models import Tara


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


def working(tara: Tara) -> Working | None:
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
