"""The sweep of background jobs whose worker was lost (core.leases), for `opencsms worker` and
`opencsms server sweep`: each app's sweep, at worker start and then every `settings.JOBS["sweep_seconds"]`
from a thread beside the worker. Django is set up by the caller; the apps are imported inside.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
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


@contextmanager
def sweeping(every: float) -> Iterator[None]:
    """Sweep now, then every `every` seconds from a thread until the block ends."""
    from django.db import DatabaseError, connection

    sweep_jobs()
    stop = threading.Event()

    def run() -> None:
        try:
            while not stop.wait(every):
                try:
                    sweep_jobs()
                except DatabaseError:  # busy or unreachable now; the next round tries again
                    logger.exception("the sweep of lost jobs failed")
        finally:
            connection.close()

    thread = threading.Thread(target=run, name="job-sweep", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
