"""Periodic work: what the worker's scheduler starts on its own, on a schedule.

django-tasks runs a task when it is enqueued, not on a calendar. The scheduler closes that gap: every tick
(a thread beside `opencsms worker`, every `JOBS["tick_seconds"]`; `opencsms server tick` runs one) calls the
hook each app registered from its AppConfig's `ready()`. A hook looks at what is due (an advisory source's
next sync, an expired risk acceptance, the next audit checkpoint), enqueues the tasks for it through the
tasks framework and answers how many. Several workers may tick at once, so a hook claims what it starts:
rows of its own with a conditional UPDATE or `select_for_update(skip_locked=True)`, or `claim` below for a
job of the whole installation. A hook that fails is logged and the others still run; the next tick tries
it again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from opencsms.core.models import ScheduledRun

logger = logging.getLogger("opencsms.jobs")

Hook = Callable[[datetime], int]

_hooks: dict[str, Hook] = {}


def register(name: str, hook: Hook) -> None:
    """Run `hook(now)` on every tick under `name` (registering a name again replaces its hook)."""
    _hooks[name] = hook


def registered() -> tuple[str, ...]:
    return tuple(sorted(_hooks))


def tick(now: datetime | None = None) -> dict[str, int]:
    """Call every hook once: how many tasks each enqueued (-1 for a hook that failed, which is logged)."""
    moment = now or timezone.now()
    started: dict[str, int] = {}
    for name in sorted(_hooks):
        try:
            started[name] = int(_hooks[name](moment))
        except Exception:  # one app's failure must not stop the other apps' schedules
            logger.exception("the scheduled work %r failed; the next tick tries again", name)
            started[name] = -1
    return started


def claim(key: str, every: timedelta, now: datetime | None = None) -> bool:
    """True for exactly one caller each period of `every`: the caller that moves the job's next run on.

    The first call for a key is due at once. Two schedulers ticking together both read the row, but only
    one conditional UPDATE finds it still due.
    """
    moment = now or timezone.now()
    row = ScheduledRun.objects.filter(key=key).values_list("next_run_at", flat=True).first()
    if row is None:
        try:
            with transaction.atomic():
                ScheduledRun.objects.create(key=key, next_run_at=moment + every, last_run_at=moment)
        except IntegrityError:  # another scheduler made it first: it runs this period
            return False
        return True
    if row > moment:
        return False
    moved = ScheduledRun.objects.filter(key=key, next_run_at=row).update(
        next_run_at=moment + every, last_run_at=moment
    )
    return moved == 1
