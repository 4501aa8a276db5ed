"""Schedules of advisory sources: how often the worker syncs each one, and when after a failure.

A source with `every` (seconds, at least 5 minutes, at most 30 days) is synced by the scheduler when
`next_run_at` has passed (`syncs.enqueue_due_syncs`, the hook `core.schedule` calls on every tick). After a
sync, `after_sync` sets the next run: `every` after a success; after a failure, a retry with exponential
back-off (5 minutes, then 10, 20...; never longer than 6 hours, nor than `every`), and `failures` counts the
failures in a row. Setting a schedule (`set_schedule`) is audited with the person who set it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from opencsms.core import audit
from opencsms.core.audit import AuditAction
from opencsms.core.errors import Invalid, NotFound
from opencsms.core.models import User
from opencsms.vulns.models import AdvisorySource
from opencsms.vulns.services.advisories import organisation_for

MIN_EVERY = 300  # seconds: a feed is not asked more often than every 5 minutes
MAX_EVERY = 30 * 24 * 3600
RETRY_FIRST = timedelta(minutes=5)
RETRY_CAP = timedelta(hours=6)


def retry_delay(failures: int, every: int) -> timedelta:
    """How long after its `failures`-th failure in a row a scheduled source is tried again."""
    doubled: timedelta = RETRY_FIRST * (2 ** min(max(failures, 1) - 1, 16))
    return min(doubled, RETRY_CAP, timedelta(seconds=every))


def after_sync(source: AdvisorySource, ok: bool, now: datetime) -> dict[str, Any]:
    """The fields a finished sync sets: its success, its failure count, and the next scheduled run."""
    if ok:
        following = now + timedelta(seconds=source.every) if source.every else None
        return {"failures": 0, "last_success_at": now, "next_run_at": following}
    failures = source.failures + 1
    retry = now + retry_delay(failures, source.every) if source.every else None
    return {"failures": failures, "next_run_at": retry}


def checked_every(every: int | None) -> int | None:
    if every is not None and not MIN_EVERY <= every <= MAX_EVERY:
        raise Invalid(f"every: give {MIN_EVERY} to {MAX_EVERY} seconds (5 minutes to 30 days), or none")
    return every


@transaction.atomic
def set_schedule(*, actor: User, source_id: int, every: int | None) -> AdvisorySource:
    """Sync the source every `every` seconds (None: no schedule; EDIT on its organisation). The first run is
    due at once when the source never succeeded, else `every` after its last success (at once if passed)."""
    found = AdvisorySource.objects.filter(pk=source_id).first()
    if found is None:
        raise NotFound(f"no advisory source {source_id}")
    organisation_for(actor, found.organisation_id, None)
    source = AdvisorySource.objects.select_for_update().get(pk=found.pk)
    before = audit.snapshot(source)
    now = timezone.now()
    source.every = checked_every(every)
    if source.every is None:
        source.next_run_at = None
    elif source.last_success_at is None:
        source.next_run_at = now
    else:
        source.next_run_at = max(now, source.last_success_at + timedelta(seconds=source.every))
    source.save(update_fields=["every", "next_run_at"])
    audit.record(
        actor=actor,
        action=AuditAction.SOURCE_SCHEDULED,
        obj=source,
        before=before,
        after=audit.snapshot(source),
        scope=source.scope,
    )
    return source
