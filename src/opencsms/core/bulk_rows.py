"""Rows written by the ten thousand (a portfolio re-match's findings and match keys, the loop's step links),
inserted with `executemany`, or on PostgreSQL with `COPY ... FROM STDIN`: the reviewed raw SQL of
`tests/config/test_raw_sql.py`, where table and column names are the model's and every value is bound
(a parameter, or a COPY row written by psycopg's adapters; no SQL text is built from a value). Building each
row with `bulk_create`, which compiles every value, cost most of the time (64,198 findings: 60 s,
bench/rematch_portfolio.py); on PostgreSQL `executemany` still sends and plans one INSERT per row (psycopg
binds on the client), and COPY took the re-match's 526,102 keys and 64,198 findings from 98 s to 9 s."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import attrgetter
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
    """Insert rows of `columns` values: in `executemany` chunks, on PostgreSQL in one COPY."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(column) for column in columns)
    if connection.vendor == "postgresql":
        _copy(f"COPY {table} ({names}) FROM STDIN", rows)
        return
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            cursor.executemany(sql, rows[start : start + CHUNK])


def _copy(sql: str, rows: list[tuple[Any, ...]]) -> None:
    """PostgreSQL: `rows` sent with psycopg's `Cursor.copy` (text format, each value dumped by the adapter
    that would bind it); a database error is Django's, as from `execute`."""
    with connection.cursor() as cursor, connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def _converter(field: Field[Any, Any]) -> Callable[[Any], Any] | None:
    """How a value of `field` is bound: plain numbers and ids as they are (None), text as `str` (a choices
    enum as its value), JSON lists and dictionaries adapted for this database as `JSONField` adapts them,
    anything else (dates, times) as Django prepares it for this database, once per distinct value (the
    rows of one call share their time stamps, and many their dates or None)."""
    kind = field.get_internal_type()
    if kind in _AS_IS:
        return None
    if kind in _TEXT:
        return lambda value: value if value is None or type(value) is str else str(value)
    if kind == "JSONField":
        adapt, encoder = connection.ops.adapt_json_value, field.encoder  # type: ignore[attr-defined]

        def json_value(value: Any) -> Any:
            if type(value) in (list, dict):
                return adapt(value, encoder)
            return field.get_db_prep_save(value, connection)

        return json_value
    memo: dict[Any, Any] = {}

    def prepared(value: Any) -> Any:
        try:
            return memo[value]
        except KeyError:
            found = memo[value] = field.get_db_prep_save(value, connection)
            return found
        except TypeError:  # not hashable
            return field.get_db_prep_save(value, connection)

    return prepared


def _values(rows: Sequence[Model], fields: Sequence[Field[Any, Any]]) -> list[tuple[Any, ...]]:
    """The bound values of `fields` of each row, built a column at a time (`map` over the rows: a
    generator per row and field was 6 s of a re-match's 64,198 findings)."""
    columns = []
    for field in fields:
        column = map(attrgetter(field.attname), rows)
        convert = _converter(field)
        columns.append(list(column if convert is None else map(convert, column)))
    return list(zip(*columns, strict=True))


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
    insert_values(model, tuple(f.column for f in fields), _values(rows, fields))
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
    values = [(*row, pk) for row, pk in zip(_values(rows, fields), (row.pk for row in rows), strict=True)]
    with connection.cursor() as cursor:
        for start in range(0, len(values), CHUNK):
            cursor.executemany(sql, values[start : start + CHUNK])
