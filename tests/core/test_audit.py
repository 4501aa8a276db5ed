"""The audit trail: records only inside transactions, a verifiable hash chain, and tampering detected."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction
from django.db.models import Q

from opencsms.core import audit, selectors
from opencsms.core.audit import AuditAction
from opencsms.core.models import GENESIS_HASH, AuditChainHead, ChangeRecord
from tests.factories.core import make_records, make_user, raw_sql

pytestmark = pytest.mark.django_db


@pytest.mark.django_db(transaction=True)
def test_record_refuses_to_run_outside_a_transaction() -> None:
    actor = make_user()
    with pytest.raises(RuntimeError, match="inside a transaction"):
        audit.record(actor=actor, action=AuditAction.USER_CREATED, object_type="x", object_id="1")
    assert not ChangeRecord.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_leaves_no_record() -> None:
    actor = make_user()

    def fails_after_recording() -> None:
        with transaction.atomic():
            audit.record(actor=actor, action=AuditAction.USER_CREATED, object_type="x", object_id="1")
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        fails_after_recording()
    assert not ChangeRecord.objects.exists()
    assert audit.verify_chain() == []


def test_record_refuses_an_action_outside_the_vocabulary() -> None:
    actor = make_user()
    with pytest.raises(TypeError, match="unknown audit action"), transaction.atomic():
        audit.record(actor=actor, action="user.renamed", object_type="x")  # type: ignore[arg-type]


def test_record_refuses_an_unsaved_actor() -> None:
    from opencsms.core.models import User

    with pytest.raises(ValueError, match="saved actor"), transaction.atomic():
        audit.record(actor=User(username="ghost"), action=AuditAction.USER_CREATED)


def test_records_are_chained_in_sequence() -> None:
    actor = make_user("alice")
    with audit.correlation("req-42"):
        records = make_records(actor, 3, scope="project:12")
    assert [r.seq for r in records] == [1, 2, 3]
    assert records[0].prev_hash == GENESIS_HASH
    assert [r.prev_hash for r in records[1:]] == [r.hash for r in records[:-1]]
    first = ChangeRecord.objects.get(seq=1)
    assert (first.actor, first.actor_name, first.correlation_id, first.scope) == (
        actor,
        "alice",
        "req-42",
        "project:12",
    )
    assert first.after == {"index": 0, "ratio": "0.0", "tags": ["a", "b"]}  # floats kept as text
    head = AuditChainHead.objects.get()
    assert (head.seq, head.hash) == (3, records[-1].hash)


def test_the_chain_verifies_after_many_records() -> None:
    make_records(make_user(), 30)
    assert audit.verify_chain() == []


def test_an_empty_chain_verifies() -> None:
    assert audit.verify_chain() == []


def test_the_hash_survives_the_database_round_trip_of_awkward_values() -> None:
    actor = make_user()
    values = {"big": 1e300, "small": -0.0, "text": "Ünïcode ✓", "nested": {"b": [1, 2.5], "a": None}}
    with transaction.atomic():
        audit.record(actor=actor, action=AuditAction.USER_CREATED, before=values, after={"ok": True})
    assert audit.verify_chain() == []


def test_floats_are_kept_as_the_text_json_writes_for_them() -> None:
    actor = make_user()
    values = {"a": [1e-7, 1e22, 0.1 + 0.2, 3.0, float("nan"), float("inf"), -float("inf")], "n": 2}
    with transaction.atomic():
        entry = audit.record(actor=actor, action=AuditAction.USER_CREATED, after=values)
    expected = ["1e-07", "1e+22", "0.30000000000000004", "3.0", "nan", "inf", "-inf"]
    assert ChangeRecord.objects.get(pk=entry.pk).after == {"a": expected, "n": 2}
    assert audit.as_recorded(values) == {"a": expected, "n": 2}


def test_many_records_at_once_chain_as_records_one_by_one() -> None:
    alice, bob = make_user("alice"), make_user("bob")
    entries = [
        audit.Entry(AuditAction.USER_UPDATED, "x", str(i), f"x {i}", {"i": i}, {"i": i + 0.5}, "bulk", "p:1")
        for i in range(3)
    ]
    with transaction.atomic():
        audit.record(actor=bob, action=AuditAction.USER_CREATED, object_type="x", object_id="0")
        made = audit.record_many(actor=alice, entries=entries)
        audit.record(actor=bob, action=AuditAction.USER_CREATED, object_type="x", object_id="9")
        assert audit.record_many(actor=alice, entries=[]) == []
    assert [r.seq for r in made] == [2, 3, 4]
    stored = list(ChangeRecord.objects.order_by("seq"))
    assert [r.seq for r in stored] == [1, 2, 3, 4, 5]
    assert [(r.actor_name, r.object_id, r.after, r.reason, r.scope) for r in stored[1:4]] == [
        ("alice", str(i), {"i": f"{i}.5"}, "bulk", "p:1") for i in range(3)
    ]
    assert [r.prev_hash for r in stored[1:]] == [r.hash for r in stored[:-1]]
    assert AuditChainHead.objects.get().seq == 5
    assert audit.verify_chain() == []
    with pytest.raises(TypeError, match="unknown audit action"), transaction.atomic():
        audit.record_many(actor=alice, entries=[entries[0]._replace(action="user.renamed")])  # type: ignore[arg-type]
    assert ChangeRecord.objects.count() == 5


def _edit_reason() -> None:
    raw_sql("UPDATE core_changerecord SET reason = 'nothing to see' WHERE seq = 3")


def _edit_actor_name() -> None:
    raw_sql("UPDATE core_changerecord SET actor_name = 'mallory' WHERE seq = 2")


def _edit_after_json() -> None:
    record = ChangeRecord.objects.get(seq=4)
    ChangeRecord.objects.filter(pk=record.pk).update(after={"index": 99})  # the ORM has no guard either


def _delete_middle() -> None:
    raw_sql("DELETE FROM core_changerecord WHERE seq = 3")


def _delete_last() -> None:
    raw_sql("DELETE FROM core_changerecord WHERE seq = 5")


def _swap_hashes() -> None:
    two, three = (ChangeRecord.objects.get(seq=s).hash for s in (2, 3))
    raw_sql("UPDATE core_changerecord SET hash = %s WHERE seq = 2", [three])
    raw_sql("UPDATE core_changerecord SET hash = %s WHERE seq = 3", [two])


def _swap_order() -> None:
    raw_sql("UPDATE core_changerecord SET seq = 1000 WHERE seq = 2")
    raw_sql("UPDATE core_changerecord SET seq = 2 WHERE seq = 3")
    raw_sql("UPDATE core_changerecord SET seq = 3 WHERE seq = 1000")


def _delete_head() -> None:
    raw_sql("DELETE FROM core_auditchainhead")


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        (_edit_reason, "record #3: its content does not match its hash (edited)"),
        (_edit_actor_name, "record #2: its content does not match its hash (edited)"),
        (_edit_after_json, "record #4: its content does not match its hash (edited)"),
        (_delete_middle, "records #3 are missing (deleted)"),
        (_delete_last, "the chain ends at record #4 but its head says #5 (records deleted at the end)"),
        (_swap_hashes, "record #3: its link (prev_hash) does not match record #2"),
        (_swap_order, "record #2: its content does not match its hash (edited)"),
        (_delete_head, "the chain head is missing (deleted)"),
    ],
)
def test_tampering_is_detected(tamper: object, expected: str) -> None:
    make_records(make_user(), 5)
    assert audit.verify_chain() == []
    tamper()  # type: ignore[operator]
    problems = audit.verify_chain()
    assert any(problem.startswith(expected) for problem in problems), problems


def test_deleting_several_records_names_the_range() -> None:
    make_records(make_user(), 6)
    raw_sql("DELETE FROM core_changerecord WHERE seq IN (2, 3, 4)")
    assert audit.verify_chain() == ["records #2 to #4 are missing (deleted)"]


def test_correlation_ids_from_outside_are_cleaned() -> None:
    with audit.correlation("ok-id_1.2:3") as kept:
        assert audit.current_correlation_id() == kept == "ok-id_1.2:3"
    with audit.correlation("bad id\nwith newline") as replaced:
        assert len(replaced) == 32
    assert audit.current_correlation_id() == ""


@pytest.mark.postgres_only  # SQLite's in-memory test database cannot be shared by threads; see the file test
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_valid_chain() -> None:
    actors = [make_user(f"writer{i}") for i in range(2)]
    per_thread, start, errors = 15, threading.Barrier(2), []

    def write(actor: object) -> None:
        try:
            start.wait()
            make_records(actor, per_thread)  # type: ignore[arg-type]
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(actor,)) for actor in actors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert list(ChangeRecord.objects.values_list("seq", flat=True)) == list(range(1, 2 * per_thread + 1))
    assert audit.verify_chain() == []


def test_object_history_narrows_to_one_action() -> None:
    actor = make_user()
    make_records(actor, 2, scope="project:1")
    with transaction.atomic():
        for action in (AuditAction.USER_CREATED, AuditAction.TOKEN_CREATED):
            audit.record(
                actor=actor, action=action, object_type="test.thing", object_id="0", scope="project:1"
            )
    every = selectors.object_history(Q(), object_type="test.thing", object_id="0")
    assert [r.action for r in every] == ["api_token.created", "user.created", "user.created"]
    created = selectors.object_history(
        Q(), object_type="test.thing", object_id="0", action=AuditAction.USER_CREATED.value
    )
    assert [r.seq for r in created] == [r.seq for r in every if r.action == "user.created"]
    at_level = selectors.object_history(
        Q(), object_type="test.thing", object_id="0", scope="project:1", action="user.created"
    )
    assert len(at_level) == 3  # the level's other records, still of that action only
    assert not selectors.object_history(
        Q(pk__in=[]), object_type="test.thing", object_id="0", action="user.created"
    )
