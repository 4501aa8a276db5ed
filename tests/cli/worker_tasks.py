"""A background task for the worker test (the worker imports it by its module path)."""

from __future__ import annotations

from opencsms.core.tasks import task


@task()
def add(left: int, right: int) -> int:
    return left + right
