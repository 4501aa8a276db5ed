"""What `opencsms worker` runs beside the task worker, each from a thread of its own: the sweep of jobs whose
worker was lost (core.leases; every `settings.JOBS["sweep_seconds"]`, and `opencsms server sweep`), and the
tick of the apps' schedules (core.schedule; every `settings.JOBS["tick_seconds"]`, and `opencsms server
tick`). Django is set up by the caller; the apps are imported inside.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

logger = logging.getLogger("opencsms.jobs")


def sweep_jobs() -> dict[str, int]:
    """Sweep every kind of job once: how many of each were retried or failed."""
    from opencsms.core.audit import correlation
    from opencsms.tara.services import sweep_imports
    from opencsms.vulns.services import sweep_deliveries, sweep_syncs

    with correlation():
        swept = {
            "imports": len(sweep_imports()),
            "syncs": len(sweep_syncs()),
            "deliveries": sweep_deliveries(),
        }
    if any(swept.values()):
        logger.warning("jobs whose worker stopped: %s", swept)
    return swept


def tick_schedules() -> dict[str, int]:
    """Start what is due on the apps' schedules once (core.schedule): how many tasks each hook enqueued."""
    from opencsms.core import schedule
    from opencsms.core.audit import correlation

    with correlation():
        return schedule.tick()


@contextmanager
def sweeping(every: float) -> Iterator[None]:
    """Sweep lost jobs now, then every `every` seconds from a thread until the block ends."""
    with repeating(sweep_jobs, every, name="job-sweep"):
        yield


@contextmanager
def ticking(every: float) -> Iterator[None]:
    """Tick the schedules now, then every `every` seconds from a thread until the block ends."""
    with repeating(tick_schedules, every, name="schedule-tick"):
        yield


@contextmanager
def repeating(work: Callable[[], object], every: float, *, name: str) -> Iterator[None]:
    """Run `work` now, then every `every` seconds from a thread of its own until the block ends."""
    from django.db import DatabaseError, connection

    work()
    stop = threading.Event()

    def run() -> None:
        try:
            while not stop.wait(every):
                try:
                    work()
                except DatabaseError:  # busy or unreachable now; the next round tries again
                    logger.exception("%s failed", name)
        finally:
            connection.close()

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
