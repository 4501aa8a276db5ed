"""The world of the permission matrix, built once per test process for the whole package inside a
transaction that is rolled back at the end; each test's own transaction is a savepoint in it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_django import DjangoDbBlocker

from tests.config.permissions.world import World, build_world
from tests.shared_world import rolled_back


@pytest.fixture(scope="package")
def world(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[World]:
    with rolled_back(django_db_blocker):
        yield build_world()
