"""What is recorded on an open incident: timeline entries, remedial actions (added, done) and
communications (ISO/SAE 21434 13.3: recording new cybersecurity information, remedial actions and their
progress, the communication plan carried out). Each needs EDIT on the incident's level, is refused on a
closed incident, and is audited; a communication and a completed action also write a timeline entry, so
the timeline tells the whole story.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from opencsms.core import audit
from opencsms.core.audit import AuditAction
from opencsms.core.errors import Conflict, Invalid
from opencsms.core.models import User
from opencsms.incidents import selectors
from opencsms.incidents.models import Communication, EntryKind, RemedialAction, TimelineEntry
from opencsms.incidents.services.incidents import SKEW, aware, locked
from opencsms.organisation.access import Perm, holders

MANUAL_KINDS = tuple(kind for kind in EntryKind.values if kind != EntryKind.STATUS_CHANGE)


def _when(at: dt.datetime | None, name: str) -> dt.datetime:
    if at is None:
        return timezone.now()
    at = aware(at, name)
    if at > timezone.now() + SKEW:
        raise Invalid(f"{name} {at:%Y-%m-%d %H:%M} is in the future", fields={name: "in the future"})
    return at


def _required(value: str, name: str) -> str:
    if not value.strip():
        raise Invalid(f"{name}: required", fields={name: "required"})
    return value.strip()


@transaction.atomic
def add_entry(
    *, actor: User, incident_id: int, kind: str, text: str, at: dt.datetime | None = None
) -> TimelineEntry:
    """A timeline entry (an observation, decision, communication or action; status changes are written by
    the status change itself), at `at` (default now)."""
    incident = locked(actor, incident_id)
    if kind not in MANUAL_KINDS:
        raise Invalid(f"kind {kind!r}: use one of {', '.join(MANUAL_KINDS)}", fields={"kind": "unknown"})
    entry = TimelineEntry.objects.create(
        incident=incident, at=_when(at, "at"), author=actor, kind=kind, text=_required(text, "text")
    )
    audit.record(actor=actor, action=AuditAction.INCIDENT_ENTRY_ADDED, obj=entry,
                 after=audit.snapshot(entry), scope=incident.scope)  # fmt: skip
    return entry


@transaction.atomic
def add_action(
    *, actor: User, incident_id: int, title: str, owner_id: int | None = None, due: dt.date | None = None
) -> RemedialAction:
    """A remedial action, owned by someone who may edit the incident's level (or nobody yet)."""
    incident = locked(actor, incident_id)
    owner = None
    if owner_id is not None:
        owner = holders(Perm.EDIT, selectors.level_of(incident)).filter(pk=owner_id).first()
        if owner is None:
            raise Invalid(f"user {owner_id} cannot own this action (they need to edit the incident's level)")
    action = RemedialAction.objects.create(
        incident=incident, title=_required(title, "title"), owner=owner, due=due
    )
    audit.record(actor=actor, action=AuditAction.INCIDENT_ACTION_ADDED, obj=action,
                 after=audit.snapshot(action), scope=incident.scope)  # fmt: skip
    return action


@transaction.atomic
def complete_action(*, actor: User, incident_id: int, action_id: int) -> RemedialAction:
    """Mark a remedial action done (once)."""
    incident = locked(actor, incident_id)
    action = RemedialAction.objects.select_for_update(of=("self",)).get(
        pk=selectors.action(actor, incident.pk, action_id).pk
    )
    if action.done_at is not None:
        raise Conflict(f"action {action.title!r} was done at {action.done_at:%Y-%m-%d %H:%M}")
    before = audit.snapshot(action)
    action.done_at = timezone.now()
    action.save(update_fields=["done_at"])
    TimelineEntry.objects.create(
        incident=incident,
        at=action.done_at,
        author=actor,
        kind=EntryKind.ACTION,
        text=f"Done: {action.title}",
    )
    audit.record(actor=actor, action=AuditAction.INCIDENT_ACTION_DONE, obj=action, before=before,
                 after=audit.snapshot(action), scope=incident.scope)  # fmt: skip
    return action


@transaction.atomic
def record_communication(
    *,
    actor: User,
    incident_id: int,
    recipient: str,
    channel: str,
    summary: str,
    at: dt.datetime | None = None,
) -> Communication:
    """Who was told what, when and how."""
    incident = locked(actor, incident_id)
    record = Communication.objects.create(
        incident=incident, recipient=_required(recipient, "recipient"), at=_when(at, "at"),
        channel=_required(channel, "channel"), summary=_required(summary, "summary"), recorded_by=actor,
    )  # fmt: skip
    TimelineEntry.objects.create(
        incident=incident, at=record.at, author=actor, kind=EntryKind.COMMUNICATION,
        text=f"To {record.recipient} by {record.channel}: {record.summary}",
    )  # fmt: skip
    audit.record(actor=actor, action=AuditAction.INCIDENT_COMMUNICATION_RECORDED, obj=record,
                 after=audit.snapshot(record), scope=incident.scope)  # fmt: skip
    return record
