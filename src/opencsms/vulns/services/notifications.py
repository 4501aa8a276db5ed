"""Notifications: in the app, by email and by webhook (ISO/SAE 21434 8.3: information reaches the people
who act on it).

`notify` writes the notifications inside the caller's transaction and, when a channel is configured
(`settings.VULNS_NOTIFY`, from `OPENCSMS_NOTIFY_*`), queues `deliver_notifications_task` in the same
transaction: the task row commits with the change or not at all, so the worker sends nothing for a change
that rolled back and sends only after the commit; `sweep_deliveries` queues once more a delivery whose
worker was lost. An advisory import notifies every release with new
findings at once (`notify_new_findings`): the same queries for one release as for many of a project.
Delivery runs outside any transaction (no lock is held while a mail server or webhook answers) and
records per channel `sent`, `skipped` or the error in `Notification.delivery`. `read_at` and `delivery`
are bookkeeping and not audited: the audited record is the change that caused the notification
(ARCHITECTURE.md).
"""

from __future__ import annotations

import json
import smtplib
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from opencsms.core import audit, leases, outbound
from opencsms.core.models import User
from opencsms.core.notices import Notice
from opencsms.core.tasks import task
from opencsms.organisation.access import Perm, holders
from opencsms.organisation.models import Project, Role
from opencsms.tara.models import Tara
from opencsms.vulns.models import Finding, Notification, Release

NOTIFIED_ROLES = (Role.ENGINEER, Role.CYBERSECURITY_MANAGER)
WEBHOOK_TIMEOUT = 10.0  # seconds, at most (the outbound policy's limit when lower)
MAX_NAMED = 5  # vulnerability ids named in a new-findings message


def recipients(project: Project) -> list[User]:
    """The engineers and cybersecurity managers holding a membership on the project or above it."""
    return list(holders(Perm.EDIT, project, roles=NOTIFIED_ROLES).order_by("pk"))


def _config() -> dict[str, Any]:
    config: dict[str, Any] = settings.VULNS_NOTIFY
    return config


def _channels() -> bool:
    return bool(_config()["email"] or _config()["webhook"])


def _send(rows: list[Notification]) -> list[Notification]:
    """Write the notifications (one INSERT) and queue one delivery of them when a channel is configured."""
    created = Notification.objects.bulk_create(rows)
    if created and _channels():
        deliver_notifications_task.enqueue(notification_ids=[row.pk for row in created])
    return created


def notify(
    *,
    project: Project,
    message: str,
    finding: Finding | None = None,
    release: Release | None = None,
    tara: Tara | None = None,
) -> list[Notification]:
    """Notify the project's engineers and managers; queue the delivery when a channel is configured.

    Call it inside the service's transaction (it writes rows and queues a task)."""
    return _send(
        [
            Notification(
                user=user, project=project, finding=finding, release=release, tara=tara, message=message
            )
            for user in recipients(project)
        ]
    )


def notify_people(
    users: Iterable[User], *, project: Project, message: str, finding: Finding | None = None
) -> list[Notification]:
    """Notify the given people (an escalation: a finding's owner and the project's managers); queue the
    delivery when a channel is configured. Call it inside the service's transaction."""
    release = finding.release if finding is not None else None
    rows = [
        Notification(user=user, project=project, finding=finding, release=release, message=message)
        for user in users
    ]
    return _send(rows)


def send_notice(notice: Notice) -> int:
    """core.notices' sender (a lower app, tara, tells people about a TARA): one notification each."""
    tara = notice.subject if isinstance(notice.subject, Tara) else None
    rows = [
        Notification(user=user, project=notice.project, tara=tara, message=notice.message)
        for user in notice.users
    ]
    return len(_send(rows))


def _link() -> str:
    base = str(_config()["base_url"])
    return f"{base.rstrip('/')}/notifications/" if base else ""


def _email(row: Notification) -> str:
    if not row.user.email:
        return "skipped: no address"
    body = "\n\n".join(part for part in (row.message, _link()) if part)
    try:
        send_mail(f"[OpenCSMS] {row.project.name}: {row.message[:80]}", body, None, [row.user.email])
    except (smtplib.SMTPException, OSError) as exc:
        return f"error: {exc}"[:500]
    return "sent"


def webhook_payload(rows: Iterable[Notification]) -> bytes:
    items = [
        {
            "id": row.pk,
            "user": row.user.get_username(),
            "project": row.project.name,
            "project_id": row.project_id,
            "release_id": row.release_id,
            "finding_id": row.finding_id,
            "tara_id": row.tara_id,
            "message": row.message,
            "created_at": row.created_at.isoformat(),
        }
        for row in rows
    ]
    return json.dumps({"notifications": items, "link": _link()}, sort_keys=True).encode()


def _webhook(rows: list[Notification]) -> str:
    config = _config()
    try:  # the operator's webhook goes through the outbound policy like an advisory source
        status = outbound.post_json(
            config["webhook"], webhook_payload(rows), secret=config["secret"], timeout=WEBHOOK_TIMEOUT
        )
    except outbound.Refused as exc:
        return f"error: {exc.detail}"[:500]
    if not 200 <= status < 300:
        return f"error: HTTP {status}"
    return f"sent: HTTP {status}"


def deliver_notifications(notification_ids: list[int]) -> dict[str, int]:
    """Send the notifications not delivered yet by email and webhook; record each channel's result."""
    config = _config()
    rows = list(
        Notification.objects.filter(pk__in=notification_ids)
        .exclude(delivery__has_key="at")  # not delivered yet (a retry is marked without "at")
        .select_related("user", "project")
        .order_by("pk")
    )
    if not rows:
        return {"delivered": 0}
    hooked = _webhook(rows) if config["webhook"] else "skipped: no webhook"
    for row in rows:
        emailed = _email(row) if config["email"] else "skipped: email off"
        row.delivery = {"email": emailed, "webhook": hooked, "at": timezone.now().isoformat()}
    Notification.objects.bulk_update(rows, ["delivery"])
    return {"delivered": len(rows)}


@task()
def deliver_notifications_task(notification_ids: list[int]) -> dict[str, int]:
    """The worker's entry point: deliver notifications (queued by `notify` with the change)."""
    with audit.correlation():
        return deliver_notifications(notification_ids)


def _lost_twice(rows: list[Notification], limit: str) -> list[Notification]:
    lost = [row for row in rows if str(row.delivery.get("retry", "")) < limit]
    failed = "error: the worker stopped while delivering it (twice); not sent"
    for row in lost:
        row.delivery = {"email": failed, "webhook": failed, "at": timezone.now().isoformat()}
    Notification.objects.bulk_update(lost, ["delivery"])
    return lost


@transaction.atomic
def sweep_deliveries() -> int:
    """Notifications still undelivered long after they were written lost their worker (deliveries take
    seconds): queue their delivery once more, marked `retry`; after a second loss record the failure.
    Bookkeeping like `delivery` itself, not audited. How many notifications were swept."""
    if not _channels():
        return 0
    limit = leases.stale_before()
    waiting = Notification.objects.exclude(delivery__has_key="at").filter(created_at__lt=limit)
    retried = list(waiting.filter(delivery={}).values_list("pk", flat=True))
    failed = _lost_twice(list(waiting.filter(delivery__has_key="retry")), limit.isoformat())
    if retried:
        Notification.objects.filter(pk__in=retried).update(delivery={"retry": timezone.now().isoformat()})
        transaction.on_commit(lambda: deliver_notifications_task.enqueue(notification_ids=retried))
    return len(retried) + len(failed)


@transaction.atomic
def mark_notifications_read(*, actor: User, notification_ids: list[int] | None = None) -> int:
    """Mark the actor's own unread notifications read (all, or those given); how many changed.

    Only the actor's own rows are touched, so no level permission applies; not audited (bookkeeping)."""
    found = Notification.objects.filter(user=actor, read_at__isnull=True)
    if notification_ids is not None:
        found = found.filter(pk__in=notification_ids)
    return found.update(read_at=timezone.now())


def _new_findings_message(release: Release, rows: list[Finding]) -> str:
    rows = sorted(rows, key=lambda r: (-(r.score or 0), r.vulnerability_id))
    names = ", ".join(dict.fromkeys(r.vulnerability_id for r in rows[:MAX_NAMED]))
    more = f" and {len(rows) - MAX_NAMED} more" if len(rows) > MAX_NAMED else ""
    severe = sum(r.severity in ("CRITICAL", "HIGH") for r in rows)
    kev = sum(r.kev for r in rows)
    notes = [f"{severe} critical or high"] if severe else []
    notes += [f"{kev} known exploited (KEV)"] if kev else []
    message = f"{len(rows)} new finding{'s' if len(rows) != 1 else ''} in {release}: {names}{more}"
    return message + (f" ({'; '.join(notes)})" if notes else "")


def notify_new_findings(created: list[Finding]) -> None:
    """One notification per release with new findings (from an advisory import or sync), to its people:
    their recipients read once per project, the rows written at once and one delivery queued."""
    by_release: dict[int, list[Finding]] = {}
    for row in created:
        by_release.setdefault(row.release_id, []).append(row)
    found = Release.objects.filter(pk__in=by_release).select_related("project__business_unit")
    people: dict[int, list[User]] = {}
    rows: list[Notification] = []
    for release in found.order_by("pk"):
        if release.project_id not in people:
            people[release.project_id] = recipients(release.project)
        message = _new_findings_message(release, by_release[release.pk])
        rows += [
            Notification(user=user, project=release.project, release=release, message=message)
            for user in people[release.project_id]
        ]
    _send(rows)
