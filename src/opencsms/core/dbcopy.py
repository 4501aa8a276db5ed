"""Copying the whole database to a file and back: SQLite through its online backup API, PostgreSQL with
pg_dump/pg_restore in the custom format. Used by `core.backup`; the connection is Django's `default`."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

from django.db import connection, connections

SQLITE, POSTGRESQL = "sqlite", "postgresql"
DUMP_NAMES = {SQLITE: "database.sqlite3", POSTGRESQL: "database.pgdump"}


class CopyError(RuntimeError):
    """The database could not be copied or restored; the message says why."""


def kind() -> str:
    vendor = connection.vendor
    if vendor not in DUMP_NAMES:
        raise CopyError(f"backups support SQLite and PostgreSQL, not {vendor}")
    return SQLITE if vendor == "sqlite" else POSTGRESQL


def dump(target: Path) -> None:
    """Write a consistent copy of the database to `target`.

    SQLite: the online backup API (outside a transaction; read the copy with `sqlite_rows`). PostgreSQL: run
    it inside `transaction.atomic()`, which it makes REPEATABLE READ; pg_dump reads that transaction's
    exported snapshot, so reads in the same transaction see what the copy holds.
    """
    if kind() == SQLITE:
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)
        copy.close()
        return
    with connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
    _run(["pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot}", "--file", str(target)])


def sqlite_rows(copy: Path, tables: dict[str, str]) -> tuple[dict[str, int], dict[str, object]]:
    """Rows per label (of `tables`: label -> table) and the audit head, read from a SQLite copy."""
    with sqlite3.connect(f"file:{copy}?mode=ro", uri=True) as database:
        present = {row[0] for row in database.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        counts = {
            label: int(database.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])  # noqa: S608
            for label, table in tables.items()
            if table in present
        }
        row = database.execute("SELECT seq, hash FROM core_auditchainhead WHERE id = 1").fetchone()
    database.close()
    return counts, {"seq": row[0], "hash": row[1]} if row else {"seq": 0, "hash": ""}


def load(source: Path) -> None:
    """Replace the database's content with the copy in `source`."""
    connections.close_all()
    if kind() == SQLITE:
        _check_sqlite(source)
        connection.ensure_connection()
        with sqlite3.connect(source) as copy:
            copy.backup(connection.connection)
        copy.close()
        return
    _run(
        ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error"],
        [str(source)],
        target_flag=True,
    )
    connections.close_all()


def _check_sqlite(source: Path) -> None:
    """Refuse a copy that is not a sound SQLite database before anything is overwritten."""
    try:
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as copy:
            result = copy.execute("PRAGMA quick_check").fetchone()
        copy.close()
    except sqlite3.DatabaseError as exc:
        raise CopyError(f"the backup's database is not a sound SQLite file ({exc})") from None
    if result is None or result[0] != "ok":
        raise CopyError(f"the backup's database is damaged ({result})")


def _run(command: list[str], files: list[str] | None = None, *, target_flag: bool = False) -> None:
    settings = connection.settings_dict
    database = ["--dbname", str(settings["NAME"])] if target_flag else [str(settings["NAME"])]
    options = [
        *(["--host", str(settings["HOST"])] if settings.get("HOST") else []),
        *(["--port", str(settings["PORT"])] if settings.get("PORT") else []),
        *(["--username", str(settings["USER"])] if settings.get("USER") else []),
        "--no-password",
    ]
    env = {**os.environ, **({"PGPASSWORD": str(settings["PASSWORD"])} if settings.get("PASSWORD") else {})}
    try:
        done = subprocess.run(  # noqa: S603 - fixed programs, arguments from our settings
            [command[0], *options, *command[1:], *database, *(files or [])],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError:
        raise CopyError(f"{command[0]} is not installed (the PostgreSQL client tools are needed)") from None
    if done.returncode != 0:
        raise CopyError(f"{command[0]} failed: {done.stderr.strip()[:2000]}")
