"""Advisory source syncs as background jobs: queued, run by the worker, and swept when the worker is lost.

`queue_sync` (a person) and `enqueue_due_syncs` (the scheduler's hook, for each source whose scheduled run
is due) mark the source `queued` and enqueues `sync_source_task` in the request's transaction. The
worker marks it `running`, keeps `sync_heartbeat_at` fresh while `advisories.sync_source` runs (core.leases),
then `done`, or `failed` with the refusal's words. A source still `running` whose heartbeat went silent lost
its worker: `sweep_syncs` (run by the worker at start and on a schedule, and when someone reads the source)
fails it with a message; nothing of the lost run was kept (the sync is one transaction), and the next sync
reads everything since the last complete one. A finished or failed sync sets the source's next scheduled
run (`schedules.after_sync`: its interval, or a retry with back-off).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, transaction
from django.utils import timezone

from opencsms.core import audit, leases
from opencsms.core.audit import AuditAction
from opencsms.core.errors import DomainError, NotFound
from opencsms.core.models import User
from opencsms.core.services import system_user
from opencsms.core.tasks import task
from opencsms.vulns import selectors
from opencsms.vulns.models import AdvisorySource, SyncStatus
from opencsms.vulns.services.advisories import organisation_for
from opencsms.vulns.services.schedules import after_sync
from opencsms.vulns.services.sources import sync_source

BUSY = (SyncStatus.QUEUED, SyncStatus.RUNNING)
DUE_PER_TICK = 100  # the rest are due at the next tick


def _start(source_id: int) -> bool:
    """Mark the source running (its first heartbeat) unless a sync of it already runs."""
    with transaction.atomic():
        return bool(
            AdvisorySource.objects.filter(pk=source_id)
            .exclude(sync_status=SyncStatus.RUNNING)
            .update(sync_status=SyncStatus.RUNNING, sync_error="", sync_heartbeat_at=timezone.now())
        )


def _finish(source_id: int, status: SyncStatus, error: str = "") -> None:
    """Record the sync's end and set the next scheduled run (after its interval, or a retry)."""
    with transaction.atomic():
        source = AdvisorySource.objects.select_for_update().filter(pk=source_id).first()
        if source is not None:
            fields = after_sync(source, status == SyncStatus.DONE, timezone.now())
            AdvisorySource.objects.filter(pk=source_id).update(sync_status=status, sync_error=error, **fields)


@task()
def sync_source_task(source_id: int, actor_id: int) -> dict[str, Any]:
    """The worker's entry point: sync one source as the user who queued it."""
    actor = User.objects.get(pk=actor_id)
    if not _start(source_id):
        return {"skipped": "a sync of this source is running"}
    try:
        with audit.correlation(), leases.heartbeat(AdvisorySource(pk=source_id), "sync_heartbeat_at"):
            result = sync_source(actor=actor, source_id=source_id)
    except (DomainError, PermissionDenied) as exc:
        _finish(source_id, SyncStatus.FAILED, getattr(exc, "detail", str(exc)))
        raise
    except Exception:  # a defect: the source says so at once (not after the stale limit), the task records it
        _finish(source_id, SyncStatus.FAILED, "the sync stopped on an unexpected error; see the logs")
        raise
    _finish(source_id, SyncStatus.DONE)
    return result.__dict__


@transaction.atomic
def queue_sync(*, actor: User, source_id: int) -> AdvisorySource:
    """Queue a sync of the source for the worker (committed with the request, or not at all)."""
    found = AdvisorySource.objects.filter(pk=source_id).first()
    if found is None:
        raise NotFound(f"no advisory source {source_id}")
    organisation_for(actor, found.organisation_id, None)
    source = AdvisorySource.objects.select_for_update().get(pk=found.pk)
    result = sync_source_task.enqueue(source_id=source.pk, actor_id=actor.pk)
    source.task_id = str(result.id)[:64]
    source.sync_status, source.sync_error = SyncStatus.QUEUED, ""
    source.save(update_fields=["task_id", "sync_status", "sync_error"])
    return source


def enqueue_due_syncs(now: datetime) -> int:
    """The scheduler's hook: queue a sync of each source whose scheduled run is due and that is not queued or
    running; returns how many were queued. Each source is claimed by a conditional UPDATE on the run it was
    due for, so two schedulers ticking at once queue it once; the sync runs as the system user."""
    due = AdvisorySource.objects.filter(every__isnull=False, next_run_at__lte=now)
    due = due.exclude(sync_status__in=BUSY)
    planned = list(due.order_by("next_run_at", "pk").values_list("pk", "next_run_at")[:DUE_PER_TICK])
    if not planned:
        return 0
    system = system_user()
    queued = 0
    for source_id, run_at in planned:
        with transaction.atomic():
            claimed = (
                AdvisorySource.objects.filter(pk=source_id, next_run_at=run_at)
                .exclude(sync_status__in=BUSY)
                .update(sync_status=SyncStatus.QUEUED, sync_error="")
            )
            if not claimed:
                continue  # another scheduler took it, or a person queued it
            result = sync_source_task.enqueue(source_id=source_id, actor_id=system.pk)
            AdvisorySource.objects.filter(pk=source_id).update(task_id=str(result.id)[:64])
        queued += 1
    return queued


@transaction.atomic
def sweep_syncs(*, source_id: int | None = None) -> list[AdvisorySource]:
    """Syncs running without a heartbeat for longer than the limit lost their worker: fail them (all, or
    the source given), audited as the system. A row a live sync holds is skipped."""
    found = AdvisorySource.objects.filter(leases.silent("sync_heartbeat_at"), sync_status=SyncStatus.RUNNING)
    if source_id is not None:
        found = found.filter(pk=source_id)
    stalled = list(found.select_for_update(skip_locked=True).order_by("pk"))
    for source in stalled:
        for name, value in after_sync(source, False, timezone.now()).items():
            setattr(source, name, value)
        source.sync_status = SyncStatus.FAILED
        source.sync_error = f"the worker stopped while syncing {source.name}; sync it again"
        source.save(update_fields=["sync_status", "sync_error", "failures", "next_run_at"])
        audit.record(
            actor=system_user(),
            action=AuditAction.SOURCE_SYNC_STALLED,
            obj=source,
            after={"sync_status": source.sync_status, "sync_error": source.sync_error},
            scope=source.scope,
        )
    return stalled


def sweep_organisation_syncs(*, actor: User, organisation_id: int) -> None:
    """Before an organisation's sources are shown: each sync still marked running is looked at through
    `source_status`, so one whose worker was lost shows failed with its message at once."""
    running = selectors.advisory_sources(actor, organisation_id=organisation_id).filter(
        sync_status=SyncStatus.RUNNING
    )
    for source_id in running.values_list("pk", flat=True):
        source_status(actor=actor, source_id=source_id)


def source_status(*, actor: User, source_id: int) -> AdvisorySource:
    """The source as someone looks at it: swept first, so a lost worker shows as such at once."""
    source = selectors.advisory_source(actor, source_id)
    if source.sync_status != SyncStatus.RUNNING:
        return source
    try:
        if sweep_syncs(source_id=source.pk):
            source.refresh_from_db()
    except DatabaseError:  # SQLite busy with another write (perhaps this sync): the worker's sweep sees to it
        pass
    return source
