"""Requests cannot change the meaning of a query: the application reaches the database through the Django ORM
(parameters always bound). Raw SQL is allowed only in reviewed modules that no request's text reaches: the
app-rename migration helper, the backup copy, the CLI's local advisory index (SQLite, `?` parameters) and the
bulk inserts of a re-match's keys and findings and of the loop's step links (`executemany`, on PostgreSQL
`COPY ... FROM STDIN`, of up to hundreds of thousands of rows: table and column names are the model's, every
value a bound parameter or a COPY row written by psycopg's adapters). A new use has to be added to this list
on purpose."""

from __future__ import annotations

import re

from tests.paths import REPOSITORY

SOURCE = REPOSITORY / "src" / "opencsms"
RAW_SQL = re.compile(r"\.raw\(|\.extra\(|\bRawSQL\b|\.cursor\(|\bsqlite3\.connect\(|\.executescript\(")
ALLOWED = {
    "core/renames.py",
    "core/dbcopy.py",
    "engine/advisories/store.py",
    "core/bulk_rows.py",
}


def raw_sql_modules() -> set[str]:
    found = set()
    for path in SOURCE.rglob("*.py"):
        relative = path.relative_to(SOURCE).as_posix()
        if "/migrations/" in f"/{relative}":
            continue
        if RAW_SQL.search(path.read_text(encoding="utf-8")):
            found.add(relative)
    return found


def test_raw_sql_is_only_in_the_reviewed_modules() -> None:
    assert raw_sql_modules() == ALLOWED


def test_the_scan_finds_raw_sql() -> None:
    assert RAW_SQL.search('Finding.objects.raw("SELECT * FROM x WHERE id = " + value)')
    assert RAW_SQL.search("with connection.cursor() as cursor:")
    assert not RAW_SQL.search("Finding.objects.filter(id=value)")
