"""Shared pytest configuration.

- `--update-golden` regenerates golden files instead of comparing with them.
- The database of the Django tests: SQLite in memory by default, PostgreSQL with `OPENCSMS_TEST_DB=postgres`
  (`postgresql://postgres@127.0.0.1:5432/test`, or `OPENCSMS_TEST_POSTGRES_URL`; pytest-django creates
  `test_test_gw0`...). Django is set up here, before pytest-django needs it, so that the choice is made
  before the settings are read. Where PostgreSQL is unreachable, its run fails at once in CI (`CI=true`)
  and skips the database tests elsewhere.
"""

from __future__ import annotations

import os
from typing import Any

import django
import pytest

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
_postgres_problem = pytest.StashKey[str]()


def _test_database_url() -> str:
    choice = os.environ.get("OPENCSMS_TEST_DB", "sqlite").lower()
    if choice in {"postgres", "postgresql"}:
        return os.environ.get("OPENCSMS_TEST_POSTGRES_URL", POSTGRES_URL)
    if choice == "sqlite":
        return "sqlite:///:memory:"
    raise pytest.UsageError(f"OPENCSMS_TEST_DB must be sqlite or postgres, not {choice!r}")


def _set_up_django() -> None:
    os.environ["OPENCSMS_ENV"] = "test"
    os.environ["OPENCSMS_DATABASE_URL"] = _test_database_url()
    os.environ["DJANGO_SETTINGS_MODULE"] = "opencsms.config.settings"
    # advisory source folders the fixtures name (/srv/...); tests of the policy set their own (core.outbound)
    os.environ["OPENCSMS_SOURCE_DIRECTORIES"] = "/srv"
    django.setup()


_set_up_django()


def _flush_by_delete() -> None:
    """On PostgreSQL, the tests that need committed data (the browser tests, `transaction=True`) empty every
    table after each test with Django's `flush`: one TRUNCATE of some hundred tables, which replaces each
    table's files and took 1-2 s a test. A DELETE of each table in one transaction empties them as well
    (Django's foreign keys are DEFERRABLE INITIALLY DEFERRED there, so the order does not matter) in a
    fraction of that; sequences are reset as before when asked."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(
        self: DatabaseOperations,
        style: Any,
        tables: list[str],
        *,
        reset_sequences: bool = False,
        allow_cascade: bool = False,
    ) -> list[str]:
        if reset_sequences or allow_cascade:
            return truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return [f"DELETE FROM {self.quote_name(table)};" for table in tables]  # noqa: S608 - table names

    DatabaseOperations.sql_flush = sql_flush  # type: ignore[method-assign]


def _commit_without_waiting_for_the_disk() -> None:
    """A test database need not survive a crash: its sessions commit without waiting for the WAL to reach
    the disk (`synchronous_commit=off`, a per-session setting; the server's configuration is untouched)."""
    from django.db import connections

    options = connections["default"].settings_dict.setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c synchronous_commit=off".strip()


if os.environ["OPENCSMS_DATABASE_URL"].startswith("postgres"):
    _flush_by_delete()
    _commit_without_waiting_for_the_disk()


def _unreachable_postgres() -> str | None:
    url = os.environ["OPENCSMS_DATABASE_URL"]
    if not url.startswith("postgres"):
        return None
    import psycopg

    try:
        psycopg.connect(url, connect_timeout=5).close()
    except psycopg.OperationalError as exc:
        return f"PostgreSQL is unreachable at {url}: {exc}".strip()
    return None


def pytest_configure(config: pytest.Config) -> None:
    problem = _unreachable_postgres()
    if problem is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.exit(
            f"{problem}\nCI runs every database test on PostgreSQL too: this run FAILS.", returncode=3
        )
    config.stash[_postgres_problem] = problem


def _deselect_other_database_only(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests that need PostgreSQL itself run in the PostgreSQL pass only, and tests of SQLite itself in the
    SQLite pass only (deselected, not skipped)."""
    other = "sqlite_only" if os.environ.get("OPENCSMS_TEST_DB") == "postgres" else "postgres_only"
    dropped = [item for item in items if item.get_closest_marker(other)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if not item.get_closest_marker(other)]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    _deselect_other_database_only(config, items)
    problem = config.stash.get(_postgres_problem, None)
    if problem is None:
        return
    skip = pytest.mark.skip(reason=problem)
    for item in items:
        if item.get_closest_marker("django_db"):
            item.add_marker(skip)


def pytest_report_header(config: pytest.Config) -> str:
    from django.conf import settings

    database = settings.DATABASES["default"]
    return f"database: {database['ENGINE'].rsplit('.', 1)[-1]} {database['NAME']}"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="write the current output over the golden files (tests/golden/) instead of comparing",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))
