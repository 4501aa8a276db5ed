"""Signed audit checkpoints delivered on a schedule (`deliver_due`, the scheduler's hook) and on demand
(`deliver_now`) to a folder, by mail (the locmem outbox) and by webhook (a local HTTP server the test
starts); failures logged and retried on the next tick; each delivery audited with where it went."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from opencsms.core import schedule
from opencsms.core.audit import AuditAction, correlation, verify_chain
from opencsms.core.checkpoints import checkpoint_problems, deliver_due, deliver_now, read_checkpoint
from opencsms.core.checkpoints.delivery import deliver_checkpoint_task
from opencsms.core.models import ChangeRecord, CheckpointDelivery
from opencsms.core.services import system_user
from tests.core.localhttp import Handler, local_server
from tests.factories.core import make_records, make_user

pytestmark = pytest.mark.django_db
HOUR = 3600
SECRET = "a-shared-secret-for-the-receiver"


@pytest.fixture
def hook() -> Iterator[str]:
    with local_server() as base:
        yield base


def configured(*to: str, every: int = HOUR, secret: str = "") -> Any:
    return override_settings(AUDIT_CHECKPOINTS={"every_seconds": every, "to": list(to), "secret": secret})


def run_queued() -> list[str]:
    """Run the queued delivery tasks (the worker's part) in order; their results."""
    done = []
    for queued in DBTaskResult.objects.filter(task_path__endswith="deliver_checkpoint_task").order_by("pk"):
        done.append(deliver_checkpoint_task.call(**queued.args_kwargs["kwargs"]))
        queued.delete()
    return done


def deliveries() -> list[dict[str, Any]]:
    found = ChangeRecord.objects.filter(action=AuditAction.AUDIT_CHECKPOINT_DELIVERED).order_by("seq")
    return [{"actor": r.actor.username, "id": r.object_id, **(r.after or {})} for r in found]


def test_a_due_folder_target_gets_one_checkpoint_per_period(tmp_path: Path) -> None:
    make_records(make_user(), 3)
    folder = tmp_path / "offsite"
    now = timezone.now()
    with configured(str(folder)):
        assert deliver_due(now) == 1
        assert deliver_due(now) == 0  # claimed: a second scheduler ticking at once queues nothing
        assert run_queued() == ["delivered"]
        assert deliver_due(now + timedelta(minutes=59)) == 0
        written = read_checkpoint(folder)
        assert checkpoint_problems(written) == []
        assert deliver_due(now + timedelta(minutes=61)) == 1
        assert run_queued() == ["delivered"]
    names = sorted(p.name for p in folder.iterdir())
    assert len(names) == 2, names
    assert all(n.startswith("checkpoint-0000000000") for n in names), names
    first = deliveries()[0]
    assert first == {"actor": "opencsms-system", "id": str(written["seq"]), "seq": written["seq"],
                     "hash": written["hash"], "to": str(folder)}  # fmt: skip
    assert verify_chain() == []


def test_nothing_is_due_when_the_schedule_is_off_or_no_target_is_set(tmp_path: Path) -> None:
    with configured(str(tmp_path), every=0):
        assert deliver_due(timezone.now()) == 0
    with configured():
        assert deliver_due(timezone.now()) == 0
    assert not CheckpointDelivery.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_the_webhook_gets_the_signed_checkpoint_with_an_hmac_of_the_body(hook: str) -> None:
    make_records(make_user(), 2)
    url = f"{hook}/receive?token=kept-out-of-the-trail"
    with configured(url, secret=SECRET):
        assert deliver_due(timezone.now()) == 1
        assert run_queued() == ["delivered"]
    [(path, headers, body)] = Handler.posts
    assert path == "/receive?token=kept-out-of-the-trail"
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-OpenCSMS-Signature"] == expected
    assert headers["Content-Type"] == "application/json"
    checkpoint = json.loads(body)
    assert checkpoint_problems(checkpoint) == []
    assert deliveries()[0]["to"] == f"{hook}/receive"  # no query: a token in the URL stays out of the trail


def test_a_failed_webhook_is_logged_left_due_and_retried_on_the_next_tick(
    hook: str, caplog: pytest.LogCaptureFixture
) -> None:
    Handler.post_status = 500
    now = timezone.now()
    with configured(f"{hook}/receive"), caplog.at_level(logging.WARNING, logger="opencsms.audit"):
        assert deliver_due(now) == 1
        [problem] = run_queued()
        assert problem == f"{hook}/receive answered HTTP 500"
        row = CheckpointDelivery.objects.get()
        assert (row.failures, row.last_error, row.delivered_at, row.claimed_until) == (1, problem, None, None)
        assert deliveries() == []
        [logged] = [r for r in caplog.records if "not delivered" in r.getMessage()]
        assert f"not delivered to {hook}/receive: " in logged.getMessage()
        assert "answered HTTP 500" in logged.getMessage()
        Handler.post_status = 204
        assert deliver_due(now + timedelta(seconds=30)) == 1  # the next tick tries again
        assert run_queued() == ["delivered"]
    row.refresh_from_db()
    assert (row.failures, row.last_error, row.delivered_seq is not None) == (0, "", True)
    assert len(Handler.posts) == 2
    assert len(deliveries()) == 1


def test_an_unreachable_webhook_names_the_problem() -> None:
    with local_server() as base:
        pass  # stopped: nothing listens on its port any more
    with configured(f"{base}/gone"):
        [(target, problem)] = deliver_now(actor=system_user())
    assert target == f"{base}/gone"
    assert problem is not None
    assert "cannot be reached" in problem
    assert deliveries() == []


def test_mail_targets_get_the_checkpoint_as_text_and_as_a_file(tmp_path: Path) -> None:
    make_records(make_user(), 1)
    with configured("mailto:audit@example.com", "mailto:offsite@example.org"):
        assert deliver_due(timezone.now()) == 2
        assert run_queued() == ["delivered", "delivered"]
    assert sorted(m.to[0] for m in mail.outbox) == ["audit@example.com", "offsite@example.org"]
    message = mail.outbox[0]
    name, content, kind = message.attachments[0]
    assert kind == "application/json"
    assert name.startswith("checkpoint-")
    assert name.endswith(".json")
    assert json.loads(content) == json.loads(str(message.body))
    assert message.subject == f"[OpenCSMS] audit checkpoint #{json.loads(content)['seq']}"
    saved = tmp_path / name
    saved.write_text(content)
    assert checkpoint_problems(read_checkpoint(saved)) == []
    assert sorted(d["to"] for d in deliveries()) == ["mailto:audit@example.com", "mailto:offsite@example.org"]


def test_a_folder_that_cannot_be_written_leaves_no_partial_file(tmp_path: Path) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the folder should be")
    with configured(str(blocked / "inside")):
        [(_, problem)] = deliver_now(actor=system_user())
    assert problem is not None
    assert problem.startswith(f"cannot write {blocked / 'inside'}/checkpoint-")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocked"]


def test_deliver_now_sends_one_checkpoint_everywhere_even_off_schedule(tmp_path: Path, hook: str) -> None:
    make_records(make_user(), 2)
    with configured(str(tmp_path), "mailto:audit@example.com", f"{hook}/in", every=0), correlation():
        results = deliver_now(actor=make_user(username="operator"))
    assert results == [(str(tmp_path), None), ("mailto:audit@example.com", None), (f"{hook}/in", None)]
    posted = json.loads(Handler.posts[0][2])
    assert read_checkpoint(tmp_path) == posted == json.loads(str(mail.outbox[0].body))
    assert {d["actor"] for d in deliveries()} == {"operator"}
    assert {d["seq"] for d in deliveries()} == {posted["seq"]}


def test_a_queued_delivery_to_a_target_no_longer_configured_is_skipped(tmp_path: Path) -> None:
    with configured(str(tmp_path)):
        deliver_due(timezone.now())
    with configured(str(tmp_path / "other")):
        assert run_queued() == ["skipped: the target is no longer configured"]
    assert list(tmp_path.iterdir()) == []
    assert deliveries() == []


def test_the_scheduler_ticks_the_delivery(tmp_path: Path) -> None:
    assert "audit_checkpoints" in schedule.registered()
    now = timezone.now()
    with configured(str(tmp_path)):
        assert schedule.tick(now)["audit_checkpoints"] == 1
        assert schedule.tick(now)["audit_checkpoints"] == 0  # a second scheduler at the same moment
        assert run_queued() == ["delivered"]
    assert len(list(tmp_path.glob("checkpoint-*.json"))) == 1
