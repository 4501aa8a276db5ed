"""The status of the background jobs of vulnerability monitoring, for the pages that started them: an
advisory source's last sync (the status the sync records on the source itself: `sync_status`,
`sync_error`; the views sweep lost syncs first, vulns.services.sweep_organisation_syncs) and the delivery
of a notification.

A status is `queued` (waiting for the worker), `running`, `done` or `failed` (with the error a person
can act on), the words of the TARA imports' status too (core/_job_status.html shows them).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from opencsms.organisation.models import Organisation
from opencsms.vulns.models import AdvisorySource, Notification, SyncStatus


@dataclass(frozen=True)
class JobStatus:
    state: str  # queued | running | done | failed
    error: str = ""

    @property
    def pending(self) -> bool:
        return self.state in ("queued", "running")


EVERY = ((3600, "hourly"), (6 * 3600, "every 6 hours"), (86400, "daily"), (7 * 86400, "weekly"))


def every_label(seconds: int) -> str:
    """A schedule as a person reads it ("daily", "every 90 minutes")."""
    named = dict(EVERY)
    if seconds in named:
        return named[seconds]
    if seconds % 3600 == 0:
        return f"every {seconds // 3600} hours"
    return f"every {seconds // 60} minutes" if seconds % 60 == 0 else f"every {seconds} seconds"


@dataclass(frozen=True)
class SourceRow:
    """An advisory source with the status of its last queued sync (None: never queued)."""

    source: AdvisorySource
    sync: JobStatus | None

    @property
    def schedule(self) -> str:
        return every_label(self.source.every) if self.source.every else "off"

    @property
    def every_choices(self) -> list[tuple[str, str, bool]]:
        """(value, label, selected) of the schedule form: off, the usual intervals, and the source's own
        when the API set another (so the form shows, and saves, what is set)."""
        every = self.source.every
        choices = [("", "off", every is None)] + [(str(s), label, every == s) for s, label in EVERY]
        if every is not None and every not in dict(EVERY):
            choices.append((str(every), every_label(every), True))
        return choices


def sync_status(source: AdvisorySource) -> JobStatus | None:
    """The status the source's last sync recorded (None: never synced)."""
    if source.sync_status == SyncStatus.NEVER:
        return None
    error = source.sync_error if source.sync_status == SyncStatus.FAILED else ""
    return JobStatus(str(source.sync_status), error)


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
    return SourceList(organisation, [SourceRow(source, sync_status(source)) for source in sources], can_edit)


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
