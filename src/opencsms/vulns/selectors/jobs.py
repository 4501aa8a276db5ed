"""The status of the background jobs of vulnerability monitoring, for the pages that started them: an
advisory source's last sync (its django-tasks result) and the delivery of a notification.

A status is `queued` (waiting for the worker), `running`, `done` or `failed` (with the error a person
can act on), the words of the TARA imports' status too (core/_job_status.html shows them).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from opencsms.organisation.models import Organisation
from opencsms.vulns.models import AdvisorySource, Notification

STATES: dict[str, str] = {
    TaskResultStatus.READY.value: "queued",
    TaskResultStatus.RUNNING.value: "running",
    TaskResultStatus.SUCCESSFUL.value: "done",
    TaskResultStatus.FAILED.value: "failed",
}


@dataclass(frozen=True)
class JobStatus:
    state: str  # queued | running | done | failed
    error: str = ""
    finished_at: datetime | None = None

    @property
    def pending(self) -> bool:
        return self.state in ("queued", "running")


@dataclass(frozen=True)
class SourceRow:
    """An advisory source with the status of its last queued sync (None: never queued)."""

    source: AdvisorySource
    sync: JobStatus | None


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def error_of(traceback: str) -> str:
    """What went wrong, from a failed task's traceback: its last line without the exception's class path
    (`opencsms.core.errors.Invalid: feed: cannot read ...` -> `feed: cannot read ...`)."""
    lines = [line for line in traceback.strip().splitlines() if line.strip()]
    if not lines:
        return "the job failed"
    kind, _, message = lines[-1].partition(": ")
    return message if message and " " not in kind else lines[-1]


def task_statuses(task_ids: Iterable[str]) -> dict[str, JobStatus]:
    """The status of each of these django-tasks results, by task id (one query; unknown ids left out)."""
    ids = {found: value for value in task_ids if (found := _uuid(value)) is not None}
    rows = DBTaskResult.objects.filter(id__in=list(ids)).values_list(
        "id", "status", "finished_at", "traceback"
    )
    return {
        ids[task_id]: JobStatus(
            STATES.get(str(status), str(status).lower()),
            error_of(traceback) if status == TaskResultStatus.FAILED else "",
            finished_at,
        )
        for task_id, status, finished_at, traceback in rows
    }


@dataclass(frozen=True)
class SourceList:
    """An organisation's advisory sources with their syncs' status; the page asks again while one runs."""

    organisation: Organisation
    rows: list[SourceRow]
    can_edit: bool

    @property
    def pending(self) -> bool:
        return any(row.sync is not None and row.sync.pending for row in self.rows)


def source_list(
    organisation: Organisation, sources: Iterable[AdvisorySource], *, can_edit: bool
) -> SourceList:
    found = list(sources)
    statuses = task_statuses(source.task_id for source in found)
    return SourceList(
        organisation, [SourceRow(source, statuses.get(source.task_id)) for source in found], can_edit
    )


def delivery_status(notification: Notification) -> JobStatus | None:
    """How a notification went out: queued until the worker delivered it, failed when a channel answered
    with an error; None when no channel (email, webhook) is configured and it was never queued."""
    delivery: dict[str, Any] = notification.delivery or {}
    if not delivery:
        config = settings.VULNS_NOTIFY
        return JobStatus("queued") if config["email"] or config["webhook"] else None
    errors = [
        f"{channel}: {str(result).removeprefix('error: ')}"
        for channel, result in delivery.items()
        if channel != "at" and str(result).startswith("error")
    ]
    return JobStatus("failed" if errors else "done", "; ".join(errors))
