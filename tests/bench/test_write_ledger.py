"""The lost-update check of bench/web_faults.py (bench/write_ledger.py): a chain of acknowledged If-Match
writes passes; an acknowledged write overwritten unseen, two acknowledged from one version, or a stored
value that is not the last acknowledged one is reported; an unsure write that was applied is not a loss."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from write_ledger import Ledger, Write


def _ledger(*writes: Write) -> Ledger:
    ledger = Ledger()
    ledger.start("T", "v0")
    for write in writes:
        ledger.record(write)
    return ledger


def test_a_chain_of_acknowledged_writes_loses_nothing() -> None:
    ledger = _ledger(
        Write("T", "d", "a", "v0", "v1"), Write("T", "r", "x", "v1", "v2"), Write("T", "d", "b", "v2", "v3")
    )
    verdict = ledger.verify({"T": {"d": "b", "r": "x"}})
    assert verdict.acknowledged == 3
    assert verdict.lost == []


def test_two_writes_acknowledged_from_one_version_is_a_lost_update() -> None:
    ledger = _ledger(Write("T", "d", "a", "v0", "v1"), Write("T", "d", "b", "v0", "v2"))
    verdict = ledger.verify({"T": {"d": "b"}})
    assert any("two writes acknowledged from version v0" in line for line in verdict.lost)


def test_a_stored_value_other_than_the_last_acknowledged_is_a_lost_update() -> None:
    ledger = _ledger(Write("T", "d", "a", "v0", "v1"), Write("T", "d", "b", "v1", "v2"))
    verdict = ledger.verify({"T": {"d": "a"}})
    assert verdict.lost == ["T: d is 'a', the last acknowledged write 'b'"]


def test_an_unsure_write_applied_is_counted_not_lost() -> None:
    """The server applied it but its answer was lost; the next write was made from the version it made."""
    ledger = _ledger(
        Write("T", "d", "a", "v0", "v1"),
        Write("T", "d", "maybe", "v1", None),
        Write("T", "r", "x", "v9", "v10"),  # made from the unsure write's version (unknown to the client)
    )
    verdict = ledger.verify({"T": {"d": "maybe", "r": "x"}})
    assert verdict.lost == []
    assert verdict.unsure_applied == 1
    assert verdict.acknowledged == 2


def test_an_unsure_write_not_applied_changes_nothing() -> None:
    ledger = _ledger(Write("T", "d", "a", "v0", "v1"), Write("T", "d", "maybe", "v1", None))
    verdict = ledger.verify({"T": {"d": "a"}})
    assert verdict.lost == []
    assert verdict.unsure_applied == 0
