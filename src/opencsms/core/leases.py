"""Leases of background jobs: a running job's heartbeat, and when its worker counts as lost.

A job row (a TARA import, an advisory source's sync) keeps the time of its last heartbeat. While the worker
runs the job, `heartbeat` refreshes it from a thread every `settings.JOBS["heartbeat_seconds"]`; a job
still marked running whose heartbeat is older than `stale_before()` lost its worker (killed, out of memory,
the machine restarted), and its app's sweep retries it once or marks it failed with a message.

The thread writes in its own database connection and skips a beat rather than wait: when the job's own
transaction holds the row (PostgreSQL: the lock itself shows the worker is alive, and the sweep skips
locked rows too) or when SQLite's one writer is busy (then the sweep cannot write either, so nothing is
taken from a job whose transaction is still open). The stale limit is many beats long.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Model, Q, QuerySet
from django.utils import timezone


def stale_before(now: datetime | None = None) -> datetime:
    """Heartbeats older than this belong to a lost worker."""
    return (now or timezone.now()) - timedelta(seconds=float(settings.JOBS["stale_seconds"]))


def silent(field: str, now: datetime | None = None) -> Q:
    """Rows whose heartbeat `field` is older than the limit, or was never written."""
    return Q(**{f"{field}__lt": stale_before(now)}) | Q(**{f"{field}__isnull": True})


def beat(rows: QuerySet[Any], field: str) -> int:
    """One heartbeat: `field` of the rows not locked by another transaction set to now; 0 when busy."""
    try:
        with transaction.atomic():
            free = list(rows.select_for_update(skip_locked=True).values_list("pk", flat=True))
            changed: int = rows.model.objects.filter(pk__in=free).update(**{field: timezone.now()})
            return changed
    except DatabaseError:  # SQLite: another writer holds the database; the next beat tries again
        return 0


@contextmanager
def heartbeat(row: Model, field: str, every: float | None = None) -> Iterator[None]:
    """Keep `field` of `row` fresh from a thread while the block runs (the job's work)."""
    interval = float(settings.JOBS["heartbeat_seconds"]) if every is None else every
    rows = type(row)._default_manager.filter(pk=row.pk)
    stop = threading.Event()

    def run() -> None:
        try:
            while not stop.wait(interval):
                beat(rows, field)
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=run, name=f"heartbeat-{row._meta.label_lower}-{row.pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
