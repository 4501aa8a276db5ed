"""Rows a portfolio re-match writes by the hundred thousand, inserted with `executemany` (the reviewed raw
SQL of `tests/config/test_raw_sql.py`): table and column names are the model's, every value a bound
parameter. Building a model instance per row and letting `bulk_create` compile every value cost most of a
re-match's time (64,198 findings: 60 s of `bulk_create`, bench/rematch_portfolio.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.db.models import Field, Model
from django.utils import timezone

from opencsms.vulns.models import Finding

CHUNK = 5000
_AS_IS = {
    "ForeignKey",
    "FloatField",
    "BooleanField",
    "PositiveIntegerField",
    "IntegerField",
    "BigIntegerField",
}
_TEXT = {"CharField", "TextField"}


def insert_values(model: type[Model], columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Insert rows of `columns` values in `executemany` chunks."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            cursor.executemany(sql, rows[start : start + CHUNK])


def _converter(field: Field[Any, Any]) -> Callable[[Any], Any]:
    """How a value of `field` is bound: plain numbers and ids as they are, text as `str` (a choices
    enum as its value), anything else (JSON, dates) as Django prepares it for this database."""
    kind = field.get_internal_type()
    if kind in _AS_IS:
        return lambda value: value
    if kind in _TEXT:
        return lambda value: value if value is None or type(value) is str else str(value)
    return lambda value: field.get_db_prep_save(value, connection)


def insert_findings(rows: list[Finding]) -> None:
    """Insert new findings (unsaved instances, timestamps set here) and give each its id, read back by
    the unique (release, component, vulnerability id)."""
    if not rows:
        return
    now = timezone.now()
    fields = [f for f in Finding._meta.concrete_fields if not f.primary_key]
    for row in rows:
        row.created_at = row.updated_at = now
    converters = [(f.attname, _converter(f)) for f in fields]
    values = [tuple(convert(getattr(row, name)) for name, convert in converters) for row in rows]
    insert_values(Finding, tuple(f.column for f in fields), values)
    by_identity = {(row.component_id, row.vulnerability_id): row for row in rows}
    releases = sorted({row.release_id for row in rows})
    for start in range(0, len(releases), 500):
        stored = Finding.objects.filter(release_id__in=releases[start : start + 500])
        for pk, component_id, vulnerability_id in stored.values_list(
            "pk", "component_id", "vulnerability_id"
        ):
            new = by_identity.get((component_id, vulnerability_id))
            if new is not None and new.pk is None:
                new.pk = pk
                new._state.adding = False
