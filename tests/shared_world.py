"""A world built once per test module instead of once per test: inside a transaction that the module's end
rolls back, each test in a savepoint of it (pytest-django's per-test atomic block nests), so each test
starts from the same rows and no other module sees them.

A module-scoped fixture is set up before the per-test database fixtures only when a test names it (pytest
orders a test's fixtures by scope), so the per-test fixtures that hand out such a world name it in their
arguments. A module with a test that needs committed data (`django_db(transaction=True)`) must build its
world per test: it defines its own fixture of the same name.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction
from pytest_django import DjangoDbBlocker


@contextmanager
def rolled_back(django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """Database access for a module-scoped fixture, everything it and the module's tests write undone at
    the end."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
