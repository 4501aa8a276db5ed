"""The scheduler (core.schedule): every registered hook runs on each tick with the same `now`, a failing
hook is logged and does not stop the others, and `claim` lets exactly one caller run a periodic job each
period, also when two schedulers claim at the same moment."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone
from typer.testing import CliRunner

from opencsms.cli.main import app
from opencsms.core import schedule
from opencsms.core.models import ScheduledRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def hooks() -> Iterator[dict[str, schedule.Hook]]:
    """The registry as the test leaves it is restored afterwards (the apps' own hooks included)."""
    saved = dict(schedule._hooks)
    schedule._hooks.clear()
    yield schedule._hooks
    schedule._hooks.clear()
    schedule._hooks.update(saved)


def test_a_tick_calls_every_hook_with_one_moment_and_reports_what_each_started(hooks: dict) -> None:
    seen: list[tuple[str, datetime]] = []
    schedule.register("b", lambda now: seen.append(("b", now)) or 2)
    schedule.register("a", lambda now: seen.append(("a", now)) or 0)
    moment = timezone.now()
    assert schedule.tick(moment) == {"a": 0, "b": 2}
    assert seen == [("a", moment), ("b", moment)]
    assert schedule.registered() == ("a", "b")


def test_a_failing_hook_is_logged_and_the_others_still_run(
    hooks: dict, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(now: datetime) -> int:
        raise RuntimeError("feed unreachable")

    schedule.register("broken", broken)
    schedule.register("fine", lambda now: 1)
    with caplog.at_level(logging.ERROR, logger="opencsms.jobs"):
        assert schedule.tick() == {"broken": -1, "fine": 1}
    assert "the scheduled work 'broken' failed" in caplog.text
    assert "feed unreachable" in caplog.text  # the traceback is in the log


def test_claim_is_due_at_once_then_once_per_period() -> None:
    start = timezone.now()
    hour = timedelta(hours=1)
    assert schedule.claim("checkpoint", hour, start) is True
    assert schedule.claim("checkpoint", hour, start + timedelta(minutes=59)) is False
    assert schedule.claim("checkpoint", hour, start + hour) is True
    assert schedule.claim("checkpoint", hour, start + hour) is False
    row = ScheduledRun.objects.get(key="checkpoint")
    assert (row.last_run_at, row.next_run_at) == (start + hour, start + 2 * hour)
    assert schedule.claim("other", hour, start) is True  # keys are independent


@pytest.mark.postgres_only  # SQLite's in-memory test database cannot be shared by threads
@pytest.mark.django_db(transaction=True)
def test_a_due_job_claimed_by_two_schedulers_at_once_runs_once() -> None:
    start = timezone.now()
    schedule.claim("sync", timedelta(minutes=5), start)
    due = start + timedelta(minutes=5)
    barrier = threading.Barrier(2)
    won: list[bool] = []

    def scheduler() -> None:
        try:
            barrier.wait()
            won.append(schedule.claim("sync", timedelta(minutes=5), due))
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(won) == [False, True]


def test_the_tick_command_lists_each_hook_and_fails_when_one_failed(hooks: dict) -> None:
    schedule.register("syncs", lambda now: 3)
    outcome = CliRunner().invoke(app, ["server", "tick"])
    assert outcome.exit_code == 0, outcome.output
    assert "syncs: 3" in outcome.output

    def broken(now: datetime) -> int:
        raise RuntimeError("no")

    schedule.register("broken", broken)
    outcome = CliRunner().invoke(app, ["server", "tick"])
    assert outcome.exit_code == 1
    assert "broken: -1" in outcome.output


def test_the_worker_ticks_at_start_and_then_repeatedly_until_it_stops(hooks: dict) -> None:
    from opencsms.cli.jobs import ticking

    calls: list[datetime] = []
    schedule.register("count", lambda now: calls.append(now) or 0)
    stopped = threading.Event()
    with ticking(0.02):
        assert len(calls) == 1  # at start, before the worker takes its first task
        stopped.wait(0.3)
    after = len(calls)
    assert after >= 3
    stopped.wait(0.1)
    assert len(calls) == after  # the thread ended with the block
