"""The keyed audit chain: the attacks that plain SHA-256 let through (rewrite with recomputed hashes, cut
off the end, delete everything) are found, by the key or against a signed checkpoint; a dumpdata/loaddata
round trip still verifies; an older, unkeyed chain is sealed by a keyed marker."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from opencsms.config.env import Settings
from opencsms.core import audit, audit_key
from opencsms.core.audit_hash import (
    KEYED_CHAIN_STARTED,
    head_text,
    keyed_hash,
    legacy_hash,
    payload_text,
    seal_legacy_chain,
)
from opencsms.core.checkpoints import checkpoint_problems, take_checkpoint
from opencsms.core.models import AuditChainHead, ChangeRecord, User
from tests.factories.core import make_records, make_user, raw_sql

pytestmark = pytest.mark.django_db


def _rehash_from(seq: int, hasher: object) -> None:
    """Recompute every hash and link from record `seq` on, and the head: what a tamperer would do."""
    prev = ChangeRecord.objects.get(seq=seq - 1).hash if seq > 1 else None
    for entry in ChangeRecord.objects.filter(seq__gte=seq).order_by("seq"):
        if prev is not None:
            entry.prev_hash = prev
        entry.hash = hasher(entry)  # type: ignore[operator]
        ChangeRecord.objects.filter(pk=entry.pk).update(prev_hash=entry.prev_hash, hash=entry.hash)
        prev = entry.hash
    head = AuditChainHead.objects.get()
    AuditChainHead.objects.filter(pk=1).update(hash=prev, signature=audit_key.sign(head_text(head.seq, prev)))


def _plain_sha256(entry: ChangeRecord) -> str:
    return hashlib.sha256(payload_text(entry).encode("utf-8")).hexdigest()


def test_records_are_keyed_and_timed_to_the_millisecond() -> None:
    records = make_records(make_user(), 3)
    for entry in records:
        assert entry.hash == keyed_hash(entry) != legacy_hash(entry)
        assert entry.time.microsecond % 1000 == 0
    head = AuditChainHead.objects.get()
    assert audit_key.matches(head_text(3, records[-1].hash), head.signature)


def test_a_rewrite_with_recomputed_plain_hashes_is_found() -> None:
    make_records(make_user(), 5)
    raw_sql("UPDATE core_changerecord SET reason = 'nothing to see' WHERE seq = 3")
    _rehash_from(3, _plain_sha256)
    problems = audit.verify_chain()
    assert "record #3: its content does not match its hash (edited)" in problems
    assert "record #5: its content does not match its hash (edited)" in problems


def test_a_rewrite_by_a_key_holder_is_found_against_a_checkpoint() -> None:
    make_records(make_user(), 5)
    checkpoint = take_checkpoint()
    raw_sql("UPDATE core_changerecord SET reason = 'nothing to see' WHERE seq = 3")
    _rehash_from(3, keyed_hash)  # someone with the key: the chain alone looks intact
    assert audit.verify_chain() == []
    assert checkpoint_problems(checkpoint) == [
        f"record #5 differs from the checkpoint of {checkpoint['taken']} (the chain was rewritten)"
    ]


def test_cutting_off_the_end_and_moving_the_head_back_is_found() -> None:
    make_records(make_user(), 5)
    raw_sql("DELETE FROM core_changerecord WHERE seq = 5")
    four = ChangeRecord.objects.get(seq=4).hash
    AuditChainHead.objects.filter(pk=1).update(seq=4, hash=four)
    assert audit.verify_chain() == ["the chain head is not signed with the audit key (moved back or forged)"]


def test_a_truncation_with_a_replayed_head_is_found_against_a_checkpoint() -> None:
    make_records(make_user(), 4)
    saved = AuditChainHead.objects.values("seq", "hash", "signature").get()  # copied by the attacker
    make_records(make_user(), 1)
    checkpoint = take_checkpoint()
    raw_sql("DELETE FROM core_changerecord WHERE seq = 5")
    AuditChainHead.objects.filter(pk=1).update(**saved)
    assert audit.verify_chain() == []  # a consistent older chain: only the checkpoint knows better
    assert checkpoint_problems(checkpoint) == [
        f"the chain ends at record #4 but the checkpoint of {checkpoint['taken']} saw record #5"
        " (records deleted: truncated)"
    ]


def test_deleting_everything_is_found_against_a_checkpoint() -> None:
    make_records(make_user(), 3)
    checkpoint = take_checkpoint()
    raw_sql("DELETE FROM core_changerecord")
    raw_sql("DELETE FROM core_auditchainhead")
    assert audit.verify_chain() == []
    assert checkpoint_problems(checkpoint) == [
        f"the chain is empty but the checkpoint of {checkpoint['taken']} saw record #3"
        " (records deleted: truncated)"
    ]


def test_a_deleted_checkpointed_record_is_found() -> None:
    make_records(make_user(), 3)
    checkpoint = take_checkpoint()
    make_records(make_user(), 2)
    raw_sql("DELETE FROM core_changerecord WHERE seq = 3")
    assert checkpoint_problems(checkpoint) == [
        f"record #3, seen by the checkpoint of {checkpoint['taken']}, is missing (deleted)"
    ]


def test_a_forged_checkpoint_is_refused() -> None:
    make_records(make_user(), 2)
    forged = {**take_checkpoint(), "seq": 1}
    assert checkpoint_problems(forged) == [
        "the checkpoint is not signed with this installation's audit key (forged or foreign)"
    ]


def test_another_key_does_not_verify_the_chain(tmp_path: Path) -> None:
    make_records(make_user(), 2)
    with override_settings(AUDIT_KEY="another-key-of-at-least-thirty-two-characters"):
        problems = audit.verify_chain()
    assert "record #1: its content does not match its hash (edited)" in problems


def test_a_dumpdata_loaddata_round_trip_verifies(tmp_path: Path) -> None:
    make_records(make_user(), 5)
    checkpoint = take_checkpoint()
    dump = tmp_path / "audit.json"
    call_command("dumpdata", "core.changerecord", "core.auditchainhead", output=str(dump), verbosity=0)
    raw_sql("DELETE FROM core_changerecord")
    raw_sql("DELETE FROM core_auditchainhead")
    call_command("loaddata", str(dump), verbosity=0)
    assert ChangeRecord.objects.count() == 5
    assert audit.verify_chain() == []
    assert checkpoint_problems(checkpoint) == []


def _legacy_chain(actor: User, count: int) -> None:
    """Records as a database made before the key has them: plain SHA-256, no head signature."""
    make_records(actor, count)
    _rehash_from(1, legacy_hash)
    AuditChainHead.objects.filter(pk=1).update(signature="")


def test_an_unkeyed_chain_is_sealed_by_a_keyed_marker_once() -> None:
    _legacy_chain(make_user(), 3)
    assert "record #1: its content does not match its hash (edited)" in audit.verify_chain()
    assert seal_legacy_chain(ChangeRecord, AuditChainHead, User) == 4
    assert seal_legacy_chain(ChangeRecord, AuditChainHead, User) is None
    marker = ChangeRecord.objects.get(seq=4)
    assert (marker.action, marker.after["legacy_records"]) == (KEYED_CHAIN_STARTED, 3)
    make_records(make_user(), 1)
    assert audit.verify_chain() == []


def test_rewriting_a_sealed_legacy_record_breaks_the_keyed_link() -> None:
    _legacy_chain(make_user(), 3)
    seal_legacy_chain(ChangeRecord, AuditChainHead, User)
    raw_sql("UPDATE core_changerecord SET reason = 'rewritten' WHERE seq = 2")
    prev = ChangeRecord.objects.get(seq=1).hash
    for entry in ChangeRecord.objects.filter(seq__in=[2, 3]).order_by("seq"):
        entry.prev_hash = prev
        ChangeRecord.objects.filter(pk=entry.pk).update(prev_hash=prev, hash=legacy_hash(entry))
        prev = legacy_hash(entry)
    assert audit.verify_chain() == [
        "record #4: its link (prev_hash) does not match record #3 (records replaced, reordered or their"
        " hashes changed)"
    ]


def test_a_short_audit_key_is_refused_at_start_up() -> None:
    with pytest.raises(ValueError, match="OPENCSMS_AUDIT_KEY must have at least 32 characters"):
        Settings(audit_key="short")  # type: ignore[arg-type]


def test_production_refuses_to_sign_without_a_configured_key(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.key"
    with (
        override_settings(AUDIT_KEY="", AUDIT_KEY_FILE=missing, AUDIT_KEY_GENERATE=False),
        pytest.raises(ImproperlyConfigured, match="OPENCSMS_AUDIT_KEY"),
    ):
        audit_key.sign("x")
    assert not missing.exists()


def test_a_missing_key_file_is_generated_once_and_private(tmp_path: Path) -> None:
    path = tmp_path / "var" / "audit.key"
    with override_settings(AUDIT_KEY="", AUDIT_KEY_FILE=path, AUDIT_KEY_GENERATE=True):
        first = audit_key.sign("x")
        assert audit_key.sign("x") == first
    assert path.stat().st_mode & 0o777 == 0o600
    assert len(path.read_text().strip()) == 64


def test_the_system_check_reports_a_missing_key(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.key"
    with (
        override_settings(AUDIT_KEY="", AUDIT_KEY_FILE=missing, AUDIT_KEY_GENERATE=False),
        pytest.raises(SystemCheckError, match=r"opencsms\.E001.*OPENCSMS_AUDIT_KEY"),
    ):
        call_command("check")
    call_command("check")  # the test key loads
