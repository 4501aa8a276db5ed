"""Rows written by the ten thousand (a portfolio re-match's findings and match keys, the loop's step links),
inserted with `executemany`: the reviewed raw SQL of `tests/config/test_raw_sql.py`, where table and column
names are the model's and every value a bound parameter. Building each row with `bulk_create`, which
compiles every value, cost most of the time (64,198 findings: 60 s, bench/rematch_portfolio.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection
from django.db.models import Field, Model
from django.utils import timezone

CHUNK = 5000
_AS_IS = {
    "ForeignKey",
    "FloatField",
    "BooleanField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "PositiveBigIntegerField",
    "SmallIntegerField",
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
    return _last_remembered(lambda value: field.get_db_prep_save(value, connection))


def _last_remembered(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`convert`, skipped when a value is the very object converted last (the one time stamp of a
    whole insert: 200,000 step links prepared the same date 400,000 times)."""
    last: list[Any] = [object(), None]

    def converted(value: Any) -> Any:
        if value is not last[0]:
            last[0], last[1] = value, convert(value)
        return last[1]

    return converted


def insert_rows(model: type[Model], rows: Sequence[Model], unique: tuple[str, ...], by: str) -> None:
    """Insert new rows of `model` (unsaved instances; `auto_now` fields set here) and give each its id,
    read back by its `unique` fields among the rows whose `by` column holds one of theirs."""
    if not rows:
        return
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    stamped = [
        f.attname for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    for row in rows:
        for name in stamped:
            setattr(row, name, now)
    converters = [(f.attname, _converter(f)) for f in fields]
    values = [tuple(convert(getattr(row, name)) for name, convert in converters) for row in rows]
    insert_values(model, tuple(f.column for f in fields), values)
    by_identity = {tuple(getattr(row, name) for name in unique): row for row in rows}
    owners = sorted({getattr(row, by) for row in rows})
    for start in range(0, len(owners), 500):
        stored = model._default_manager.filter(**{f"{by}__in": owners[start : start + 500]})
        for pk, *identity in stored.values_list("pk", *unique):
            new = by_identity.get(tuple(identity))
            if new is not None and new.pk is None:
                new.pk = pk
                new._state.adding = False


def update_rows(model: type[Model], rows: Sequence[Model], names: tuple[str, ...]) -> None:
    """Write the fields `names` of saved rows, one `UPDATE ... WHERE id` per row sent with `executemany`
    (psycopg pipelines them: one round trip per row was 1.8 s of 1,000 changed advisories on PostgreSQL;
    `bulk_update` builds a CASE per field and row)."""
    if not rows:
        return
    by_name = {field.name: field for field in model._meta.concrete_fields}
    fields = [by_name[name] for name in names]
    quote = connection.ops.quote_name
    sets = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    pk = quote(model._meta.pk.column)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {sets} WHERE {pk} = %s"  # noqa: S608
    converters = [(field.attname, _converter(field)) for field in fields]
    values = [(*(convert(getattr(row, name)) for name, convert in converters), row.pk) for row in rows]
    with connection.cursor() as cursor:
        for start in range(0, len(values), CHUNK):
            cursor.executemany(sql, values[start : start + CHUNK])
