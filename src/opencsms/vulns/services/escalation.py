"""Escalation of overdue findings (ISO/SAE 21434 8.7: a vulnerability is treated in time; the SLA says
when, `services.sla`).

A finding overdue by more than its organisation's escalation delay (`SlaPolicy.escalation`, or the
shipped default) is escalated once for its due date: its owner and the project's cybersecurity managers
and administrators (at the project or above it) are notified through the usual notifications and their
delivery, an `Escalation` row records it (unique per finding and due date, so a tick never repeats it; a
new due date, set by a person or by the SLA, may be escalated again), and the system user's audit record
`vulns_finding.escalated` names who was told. A closed finding (not affected, fixed, not relevant,
accepted) is never overdue.

`escalation_hook(now)` is the scheduler's hook (`core.schedule`, registered by the app's `ready()`): it
enqueues one `escalate_overdue_task` once a day for the installation (`schedule.claim`: one indexed
lookup on the other ticks; the findings are read by the daily pass, not every 30 s). Should two tasks
run together, each claims its findings with `select_for_update(skip_locked=True)` and the unique
escalation row keeps each escalation single.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from opencsms.core import audit, schedule
from opencsms.core.audit import AuditAction
from opencsms.core.models import User
from opencsms.core.services import system_user
from opencsms.core.tasks import task
from opencsms.organisation.access import Perm, holders
from opencsms.organisation.models import Role
from opencsms.vulns.models import Finding
from opencsms.vulns.models.sla import Escalation
from opencsms.vulns.selectors.sla import overdue_q, terms_for
from opencsms.vulns.services.notifications import notify_people

HOOK = "vulns.sla_escalation"
EVERY = dt.timedelta(days=1)
BATCH = 200  # findings escalated per transaction
ESCALATED_TO = (Role.CYBERSECURITY_MANAGER, Role.ADMINISTRATOR)


def _unescalated(today: dt.date) -> QuerySet[Finding]:
    """Open findings overdue on `today` that were not escalated for their due date."""
    done = Escalation.objects.filter(finding=OuterRef("pk"), due_date=OuterRef("due_date"))
    return Finding.objects.filter(overdue_q(today)).exclude(Exists(done))


def _people(finding: Finding) -> list[User]:
    project = finding.release.project
    found = {user.pk: user for user in holders(Perm.APPROVE, project, roles=ESCALATED_TO).order_by("pk")}
    if finding.owner is not None and finding.owner.is_active:
        found.setdefault(finding.owner.pk, finding.owner)
    return list(found.values())


def _escalate(system: User, finding: Finding, today: dt.date, delay: int) -> None:
    assert finding.due_date is not None
    late = (today - finding.due_date).days
    people = _people(finding)
    owner = finding.owner.get_username() if finding.owner else "nobody"
    message = (
        f"{finding.vulnerability_id} in {finding.release} is {late} days overdue (due {finding.due_date}, "
        f"escalated after {delay} days; owner: {owner})"
    )
    notify_people(people, project=finding.release.project, message=message, finding=finding)
    Escalation.objects.create(
        finding=finding, due_date=finding.due_date, days_overdue=late, notified=[u.pk for u in people]
    )
    audit.record(
        actor=system,
        action=AuditAction.FINDING_ESCALATED,
        obj=finding,
        after={
            "due_date": finding.due_date.isoformat(),
            "days_overdue": late,
            "notified": [u.get_username() for u in people],
        },
        reason=f"overdue by more than the SLA's {delay} days",
        scope=finding.scope,
    )


@transaction.atomic
def _escalate_batch(today: dt.date, organisation_id: int, delay: int) -> int:
    limit = today - dt.timedelta(days=delay)
    rows = list(
        _unescalated(today)
        .filter(release__project__business_unit__organisation_id=organisation_id, due_date__lt=limit)
        .select_related("release__project", "owner")
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("pk")[:BATCH]
    )
    system = system_user()
    for finding in rows:
        _escalate(system, finding, today, delay)
    return len(rows)


def escalate_overdue(*, now: dt.datetime | None = None) -> int:
    """Escalate every open finding overdue by more than its organisation's delay and not escalated for
    its due date yet (see the module); how many were escalated."""
    today = timezone.localdate(now or timezone.now())
    organisations = (
        _unescalated(today)
        .order_by()
        .values_list("release__project__business_unit__organisation_id", flat=True)
        .distinct()
    )
    escalated = 0
    for organisation_id in sorted(set(organisations)):
        delay = terms_for(organisation_id).escalation
        while done := _escalate_batch(today, organisation_id, delay):
            escalated += done
    return escalated


@task()
def escalate_overdue_task() -> int:
    with audit.correlation():
        return escalate_overdue()


def escalation_hook(now: dt.datetime) -> int:
    """The scheduler's hook: enqueue the escalation pass once a day (see the module)."""
    if not schedule.claim(HOOK, EVERY, now):
        return 0
    escalate_overdue_task.enqueue()
    return 1
