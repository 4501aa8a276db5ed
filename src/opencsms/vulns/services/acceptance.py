"""Risk acceptance that expires (ISO/SAE 21434 8.7 and 15.9: a retained risk is reviewed, not kept forever).

A finding accepted with `accepted_until` stands through that day. From the next day it reads as expired
on every page and in the API at once (`Finding.acceptance_expired`), and `reopen_expired_acceptances`
puts it back into triage: the decision, its expiry and the stage `decided` are undone (the stage becomes
`analysed`: the VEX status stays `affected` and the rationale stays as the history of what was decided),
audited per finding as the system (`vulns_finding.acceptance_expired`), and the project's engineers and
cybersecurity managers are notified once, with the finding.

`acceptance_hook(now)` is the scheduler's hook (`core.schedule`, registered by the app's `ready()`): cheap
when nothing expired (one indexed EXISTS), otherwise it enqueues one `reopen_expired_acceptances_task`
and returns 1, at most once a minute for the whole installation (`schedule.claim`), so schedulers ticking
at once, or ticking again before the worker ran the task, do not pile tasks up. Should two tasks still
run together, each claims its rows with `select_for_update(skip_locked=True)` and a reopened finding no
longer matches: each finding reopens, and is notified about, once.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from opencsms.core import schedule
from opencsms.core.audit import AuditAction
from opencsms.core.services import system_user
from opencsms.core.tasks import task
from opencsms.vulns.models import Decision, Finding, Stage
from opencsms.vulns.services.notifications import notify
from opencsms.vulns.services.triage import apply_triage

HOOK = "vulns.acceptance_expiry"
EVERY = dt.timedelta(minutes=1)  # the hook enqueues the reopening at most this often
BATCH = 500  # findings reopened per transaction; the task goes on until none is left


def _expired(today: dt.date) -> QuerySet[Finding]:
    return Finding.objects.filter(decision=Decision.ACCEPT, accepted_until__lt=today)


def _reopen(finding: Finding) -> None:
    until = finding.accepted_until
    reopening = {"decision": Decision.NONE, "accepted_until": None, "stage": Stage.ANALYSED}
    apply_triage(
        actor=system_user(), finding=finding, changes=reopening, action=AuditAction.FINDING_ACCEPTANCE_EXPIRED
    )
    notify(
        project=finding.release.project,
        finding=finding,
        release=finding.release,
        message=f"The acceptance of {finding.vulnerability_id} in {finding.release} expired after {until}: "
        "it is back in triage",
    )


@transaction.atomic
def _reopen_batch(today: dt.date) -> int:
    rows = list(
        _expired(today)
        .select_related("release__project")
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("pk")[:BATCH]
    )
    for finding in rows:
        _reopen(finding)
    return len(rows)


def reopen_expired_acceptances(*, now: dt.datetime | None = None) -> int:
    """Reopen every finding whose acceptance expired before `now`'s local day (see the module); how many."""
    today = timezone.localdate(now or timezone.now())
    reopened = 0
    while done := _reopen_batch(today):
        reopened += done
    return reopened


@task()
def reopen_expired_acceptances_task() -> int:
    return reopen_expired_acceptances()


def acceptance_hook(now: dt.datetime) -> int:
    """The scheduler's hook: enqueue the reopening when an acceptance expired (see the module)."""
    if not _expired(timezone.localdate(now)).exists():
        return 0
    if not schedule.claim(HOOK, EVERY, now):
        return 0
    reopen_expired_acceptances_task.enqueue()
    return 1
