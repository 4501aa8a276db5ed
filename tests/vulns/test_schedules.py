"""Schedules of advisory sources: set and audited with the person, refused out of range or without the
right; the scheduler's hook queues each due source once (two schedulers ticking at once included), never one
already queued or running, and nothing when nothing is due; a finished sync sets the next run (its interval),
a failed one a retry with exponential back-off, capped, and counts the failures in a row."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from opencsms.core import schedule
from opencsms.core.audit import AuditAction
from opencsms.core.errors import Invalid, NotFound
from opencsms.core.models import ChangeRecord
from opencsms.core.services import system_user
from opencsms.organisation.models import Role
from opencsms.vulns import services
from opencsms.vulns.models import AdvisorySource, SyncStatus
from opencsms.vulns.services.schedules import retry_delay
from tests.core.localhttp import local_server
from tests.factories.core import make_user
from tests.factories.feeds import serve
from tests.factories.organisation import Tree, make_membership, make_tree
from tests.factories.vulns import kev_json

pytestmark = pytest.mark.django_db
DAY = 86400


def _kev_source(tree: Tree, settings: Any, base: str) -> tuple[Any, AdvisorySource]:
    settings.OUTBOUND = {**settings.OUTBOUND, "allow_hosts": ["127.0.0.1"]}
    admin = make_user()
    make_membership(admin, tree.organisation, Role.ADMINISTRATOR)
    source = services.create_advisory_source(
        actor=admin,
        organisation_id=tree.organisation.pk,
        name="KEV",
        kind="kev_json",
        location=f"{base}/files/kev.json",
    )
    return admin, source


def test_retry_waits_twice_as_long_each_time_capped_by_six_hours_and_the_interval() -> None:
    minutes = [retry_delay(n, DAY) / timedelta(minutes=1) for n in range(1, 9)]
    assert minutes == [5, 10, 20, 40, 80, 160, 320, 360]
    assert retry_delay(50, DAY) == timedelta(hours=6)
    assert retry_delay(4, 1800) == timedelta(minutes=30)  # never later than the next scheduled run


def test_a_schedule_is_set_audited_and_refused_out_of_range_or_without_the_right(settings: Any) -> None:
    tree = make_tree()
    with local_server() as base:
        admin, source = _kev_source(tree, settings, base)
        before = timezone.now()
        scheduled = services.set_schedule(actor=admin, source_id=source.pk, every=DAY)
        assert scheduled.every == DAY
        assert scheduled.next_run_at is not None
        assert scheduled.next_run_at >= before
        record = ChangeRecord.objects.get(action=AuditAction.SOURCE_SCHEDULED)
        assert (record.actor_id, record.before["every"], record.after["every"]) == (admin.pk, None, DAY)
        for bad in (60, 31 * DAY, 0):
            with pytest.raises(Invalid, match="every: give 300 to 2592000 seconds"):
                services.set_schedule(actor=admin, source_id=source.pk, every=bad)
        auditor, engineer = make_user(), make_user()
        make_membership(auditor, tree.organisation, Role.AUDITOR)  # sees the organisation, may not edit it
        make_membership(engineer, tree.project, Role.ENGINEER)  # does not see the organisation
        with pytest.raises(PermissionDenied):
            services.set_schedule(actor=auditor, source_id=source.pk, every=3600)
        with pytest.raises(NotFound):
            services.set_schedule(actor=engineer, source_id=source.pk, every=3600)
        off = services.set_schedule(actor=admin, source_id=source.pk, every=None)
        assert (off.every, off.next_run_at) == (None, None)
        assert ChangeRecord.objects.filter(action=AuditAction.SOURCE_SCHEDULED).count() == 2
        source.refresh_from_db()
        assert source.every is None


def test_after_a_success_the_next_run_is_the_interval_after_the_last_success(settings: Any) -> None:
    tree = make_tree()
    with local_server() as base:
        admin, source = _kev_source(tree, settings, base)
        last = timezone.now() - timedelta(hours=2)
        AdvisorySource.objects.filter(pk=source.pk).update(last_success_at=last)
        assert services.set_schedule(
            actor=admin, source_id=source.pk, every=DAY
        ).next_run_at == last + timedelta(seconds=DAY)
        passed = services.set_schedule(actor=admin, source_id=source.pk, every=3600).next_run_at
        assert passed is not None
        assert passed > last + timedelta(hours=1)


@pytest.mark.django_db(transaction=True)  # the worker closes the connection when it is done
def test_the_hook_queues_each_due_source_once_and_the_worker_syncs_it_as_the_system(settings: Any) -> None:
    tree = make_tree()
    with local_server() as base:
        serve("kev.json", kev_json("CVE-2026-0001", "CVE-2026-0002"))
        admin, source = _kev_source(tree, settings, base)
        now = timezone.now()
        assert services.enqueue_due_syncs(now) == 0  # no schedule
        services.set_schedule(actor=admin, source_id=source.pk, every=3600)
        assert services.enqueue_due_syncs(now - timedelta(minutes=1)) == 0  # not due yet
        assert services.enqueue_due_syncs(now + timedelta(seconds=1)) == 1
        assert services.enqueue_due_syncs(now + timedelta(seconds=2)) == 0  # queued: not queued twice
        source.refresh_from_db()
        assert source.sync_status == SyncStatus.QUEUED
        assert DBTaskResult.objects.count() == 1
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
        source.refresh_from_db()
        assert (source.sync_status, source.failures, source.last_result["entries"]) == (SyncStatus.DONE, 0, 2)
        assert source.last_success_at is not None
        assert source.next_run_at is not None
        assert source.next_run_at - source.last_success_at == timedelta(hours=1)
        imported = ChangeRecord.objects.get(action=AuditAction.EXPLOITATION_IMPORTED)
        assert imported.actor_id == system_user().pk
        # A second scheduler that read the same due run before the sync finished claims nothing.
        assert services.enqueue_due_syncs(now + timedelta(seconds=1)) == 0
        assert services.enqueue_due_syncs(source.next_run_at + timedelta(seconds=1)) == 1


def test_two_schedulers_claiming_the_same_run_queue_it_once(settings: Any) -> None:
    tree = make_tree()
    with local_server() as base:
        admin, source = _kev_source(tree, settings, base)
        services.set_schedule(actor=admin, source_id=source.pk, every=3600)
        later = timezone.now() + timedelta(seconds=1)
        due = list(AdvisorySource.objects.filter(pk=source.pk).values_list("pk", "next_run_at"))
        assert services.enqueue_due_syncs(later) == 1
        # The second scheduler read the same row before the first claimed it: its conditional update misses.
        claimed = (
            AdvisorySource.objects.filter(pk=due[0][0], next_run_at=due[0][1])
            .exclude(sync_status__in=(SyncStatus.QUEUED, SyncStatus.RUNNING))
            .update(sync_status=SyncStatus.QUEUED)
        )
        assert claimed == 0
        assert DBTaskResult.objects.count() == 1


def test_failures_back_off_and_a_success_resets_them(settings: Any) -> None:
    tree = make_tree()
    with local_server() as base:
        admin, source = _kev_source(tree, settings, base)  # /files/kev.json is not served yet: HTTP 404
        services.set_schedule(actor=admin, source_id=source.pk, every=DAY)
        system = system_user()
        delays = []
        for _ in range(3):
            with pytest.raises(Invalid, match="HTTP 404"):
                services.sync_source_task.call(source_id=source.pk, actor_id=system.pk)
            source.refresh_from_db()
            assert source.sync_status == SyncStatus.FAILED
            assert "HTTP 404" in source.sync_error
            assert source.next_run_at is not None
            delays.append(round((source.next_run_at - timezone.now()) / timedelta(minutes=1)))
        assert (delays, source.failures) == ([5, 10, 20], 3)
        serve("kev.json", kev_json("CVE-2026-0003"))
        services.sync_source_task.call(source_id=source.pk, actor_id=system.pk)
        source.refresh_from_db()
        assert (source.sync_status, source.failures, source.sync_error) == (SyncStatus.DONE, 0, "")
        assert source.next_run_at is not None
        assert round((source.next_run_at - timezone.now()) / timedelta(hours=1)) == 24


def test_the_scheduler_tick_runs_the_hook(settings: Any) -> None:
    tree = make_tree()
    with local_server() as base:
        admin, source = _kev_source(tree, settings, base)
        assert "vulns.source_syncs" in schedule.registered()
        assert schedule.tick(timezone.now())["vulns.source_syncs"] == 0  # nothing due: nothing queued
        services.set_schedule(actor=admin, source_id=source.pk, every=3600)
        assert schedule.tick(timezone.now() + timedelta(seconds=1))["vulns.source_syncs"] == 1
