"""Signed checkpoints sent off the machine, on a schedule and on demand: to a folder, by mail, by webhook.

The operator names the targets (`OPENCSMS_AUDIT_CHECKPOINT_TO`, `settings.AUDIT_CHECKPOINTS["to"]`) and how
often (`OPENCSMS_AUDIT_CHECKPOINT_EVERY`). Each target has a `CheckpointDelivery` row. `deliver_due(now)`,
the scheduler's hook, claims the rows that are due with a conditional UPDATE (a second scheduler ticking at
the same time claims none of them) and queues `deliver_checkpoint_task` for each; the task takes the chain's
head at that moment and sends it. A delivery that fails is logged on `opencsms.audit` and left due, so the
next tick tries again; one that succeeds moves the row's next due time on and writes an audit record saying
which checkpoint went where. `deliver_now` (`opencsms audit checkpoint --deliver`) sends to every target at
once. A claim whose worker was lost expires after the jobs' stale limit.

- folder: `checkpoint-<seq>-<time>.json` written whole (a temporary name, then renamed);
- `mailto:`: Django's mail backend, the checkpoint as the message and as an attached file;
- http(s): a POST of the checkpoint JSON through `core.outbound` (the host is allowed by being configured,
  the address is pinned, no redirect), signed with `OPENCSMS_AUDIT_CHECKPOINT_SECRET` when set:
  `X-OpenCSMS-Signature: sha256=<HMAC-SHA256 of the body>`; any answer but 2xx is a failure.
"""

from __future__ import annotations

import contextlib
import logging
import os
import smtplib
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from opencsms.core import audit, outbound
from opencsms.core.audit import AuditAction
from opencsms.core.checkpoints.signed import checkpoint_text, file_name, take_checkpoint
from opencsms.core.models import CheckpointDelivery, User
from opencsms.core.services import system_user
from opencsms.core.tasks import task

logger = logging.getLogger("opencsms.audit")
WEBHOOK_TIMEOUT = 30.0  # seconds, at most (the outbound policy's limit when lower)


class DeliveryFailed(Exception):
    """A checkpoint that did not reach its target; the message says why."""


def _config() -> dict[str, Any]:
    config: dict[str, Any] = settings.AUDIT_CHECKPOINTS
    return config


def targets() -> list[str]:
    return list(_config()["to"])


def every() -> timedelta | None:
    seconds = int(_config()["every_seconds"])
    return timedelta(seconds=seconds) if seconds else None


def shown(target: str) -> str:
    """The target as the audit trail and the log name it: a URL without its query or credentials."""
    if target.startswith(("http:", "https:")):
        parts = urlsplit(target)
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{parts.hostname}{port}{parts.path}"
    return target


def send(target: str, checkpoint: dict[str, Any]) -> None:
    """Deliver `checkpoint` to `target`; `DeliveryFailed` naming the problem."""
    if target.startswith("mailto:"):
        _mail(target.removeprefix("mailto:"), checkpoint)
    elif target.startswith(("http:", "https:")):
        _post(target, checkpoint)
    else:
        _write(Path(target), checkpoint)


def _write(folder: Path, checkpoint: dict[str, Any]) -> None:
    path = folder / file_name(checkpoint)
    draft = folder / f".{path.name}.{os.getpid()}.part"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        draft.write_text(checkpoint_text(checkpoint), encoding="utf-8")
        draft.replace(path)  # whole or not at all
    except OSError as exc:
        with contextlib.suppress(OSError):  # no draft left behind (none made when the folder is not one)
            draft.unlink(missing_ok=True)
        raise DeliveryFailed(f"cannot write {path}: {exc.strerror or exc}") from None


def _mail(address: str, checkpoint: dict[str, Any]) -> None:
    seq, text = checkpoint["seq"], checkpoint_text(checkpoint)
    message = EmailMessage(f"[OpenCSMS] audit checkpoint #{seq}", text, None, [address])
    message.attach(file_name(checkpoint), text, "application/json")
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryFailed(f"cannot mail {address}: {exc}") from None


def _post(url: str, checkpoint: dict[str, Any]) -> None:
    body = checkpoint_text(checkpoint).encode()
    policy = outbound.allowing(outbound.current(), url)
    try:
        status = outbound.post_json(
            url, body, secret=str(_config()["secret"]), timeout=WEBHOOK_TIMEOUT, policy=policy
        )
    except outbound.Refused as exc:
        raise DeliveryFailed(exc.detail) from None
    if not 200 <= status < 300:
        raise DeliveryFailed(f"{shown(url)} answered HTTP {status}")


def _rows(names: list[str], now: datetime) -> None:
    """A row for each configured target without one (due now)."""
    known = set(CheckpointDelivery.objects.filter(target__in=names).values_list("target", flat=True))
    missing = [CheckpointDelivery(target=name, due_at=now) for name in names if name not in known]
    if missing:
        CheckpointDelivery.objects.bulk_create(missing, ignore_conflicts=True)


def deliver_due(now: datetime) -> int:
    """The scheduler's hook: queue a delivery for each target that is due; how many were queued.

    Two queries when nothing is due; safe when two schedulers tick at once (each row is claimed by one)."""
    period, names = every(), targets()
    if period is None or not names:
        return 0
    _rows(names, now)
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    due = CheckpointDelivery.objects.filter(free, target__in=names, due_at__lte=now)
    claim_until = now + timedelta(seconds=float(settings.JOBS["stale_seconds"]))
    queued = 0
    for pk in due.order_by("pk").values_list("pk", flat=True):
        claimed = CheckpointDelivery.objects.filter(free, pk=pk, due_at__lte=now)
        if claimed.update(claimed_until=claim_until):
            deliver_checkpoint_task.enqueue(delivery_id=pk)
            queued += 1
    return queued


def deliver(row: CheckpointDelivery, *, actor: User, checkpoint: dict[str, Any] | None = None) -> str | None:
    """Send the chain's head (or `checkpoint`) to the row's target: None when delivered (audited, next one
    due a period later), else the problem (logged, the row left due for the next tick)."""
    checkpoint = checkpoint or take_checkpoint()
    try:
        send(row.target, checkpoint)
    except DeliveryFailed as exc:
        logger.warning(
            "audit checkpoint #%s not delivered to %s: %s", checkpoint["seq"], shown(row.target), exc
        )
        CheckpointDelivery.objects.filter(pk=row.pk).update(
            claimed_until=None, failures=row.failures + 1, last_error=str(exc)[:2000]
        )
        return str(exc)
    _delivered(row, checkpoint, actor)
    return None


@transaction.atomic
def _delivered(row: CheckpointDelivery, checkpoint: dict[str, Any], actor: User) -> None:
    now = timezone.now()
    period = every()
    row.due_at = now + period if period else now
    row.delivered_at, row.delivered_seq = now, checkpoint["seq"]
    row.claimed_until, row.failures, row.last_error = None, 0, ""
    row.save(
        update_fields=["due_at", "delivered_at", "delivered_seq", "claimed_until", "failures", "last_error"]
    )
    audit.record(
        actor=actor,
        action=AuditAction.AUDIT_CHECKPOINT_DELIVERED,
        object_type="audit_checkpoint",
        object_id=str(checkpoint["seq"]),
        object_repr=f"checkpoint of record #{checkpoint['seq']}",
        after={"seq": checkpoint["seq"], "hash": checkpoint["hash"], "to": shown(row.target)},
    )


def deliver_now(*, actor: User) -> list[tuple[str, str | None]]:
    """One checkpoint of the head sent to every configured target now: (target shown, problem or None)."""
    names = targets()
    _rows(names, timezone.now())
    checkpoint = take_checkpoint()
    rows = {row.target: row for row in CheckpointDelivery.objects.filter(target__in=names)}
    return [(shown(name), deliver(rows[name], actor=actor, checkpoint=checkpoint)) for name in names]


@task()
def deliver_checkpoint_task(delivery_id: int) -> str:
    """The worker's part of a scheduled delivery (queued by `deliver_due`): "delivered" or the problem."""
    row = CheckpointDelivery.objects.filter(pk=delivery_id).first()
    if row is None or row.target not in targets():
        return "skipped: the target is no longer configured"
    with audit.correlation():
        problem = deliver(row, actor=system_user())
    return problem or "delivered"
