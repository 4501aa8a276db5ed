"""Apps renamed after databases were made under their old name: carried over before `migrate` plans.

An app declares `renamed_from = "<old label>"` on its AppConfig (the organisation app was `products` until
December 2026). A database made before the rename holds the app's tables as `<old>_<model>`, its applied
migrations and content types under the old label, and audit records whose `object_type` names the old label.
`carry_over(connection)` renames the tables and relabels the migrations and content types in one
transaction, before `migrate` reads the migration history (core's `migrate` command calls it), so the
migrations that follow (the renamed constraints) apply as on any database. Audit records are never
rewritten (the hash chain would break): `object_types()` gives every name an object's records may carry.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import AppConfig, apps
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Model


@dataclass(frozen=True)
class Carried:
    """What `carry_over` did for one renamed app."""

    old: str
    new: str
    tables: int
    migrations: int
    content_types: int

    def __str__(self) -> str:
        return (
            f"Renamed app {self.old} -> {self.new}: {self.tables} tables, {self.migrations} applied "
            f"migrations and {self.content_types} content types carried over"
        )


def _renamed() -> list[AppConfig]:
    return [config for config in apps.get_app_configs() if getattr(config, "renamed_from", "")]


def object_types(object_type: str) -> list[str]:
    """`object_type` (`app.model`) and the names the same model's audit records had before renames."""
    label, _, model = object_type.partition(".")
    names = [object_type]
    for config in _renamed():
        if config.label == label:
            names.append(f"{config.renamed_from}.{model}")  # type: ignore[attr-defined]
    return names


def carry_over(connection: BaseDatabaseWrapper) -> list[Carried]:
    """Carry every renamed app of a database made before its rename over to the new label (idempotent).

    Only a database whose migration history names the old label and not the new one is touched: a fresh
    database, one already carried over, and a later app that takes the old name again are left alone.
    """
    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return []
    done = []
    for config in _renamed():
        old: str = config.renamed_from  # type: ignore[attr-defined]
        labels = set(recorder.migration_qs.values_list("app", flat=True).distinct())
        if old in labels and config.label not in labels:
            done.append(_carry(connection, config, old))
    return done


def _carry(connection: BaseDatabaseWrapper, config: AppConfig, old: str) -> Carried:
    existing = set(connection.introspection.table_names())
    moves = [
        (model, f"{old}_{model._meta.model_name}", model._meta.db_table)
        for model in config.get_models()
        if f"{old}_{model._meta.model_name}" in existing and model._meta.db_table not in existing
    ]
    with connection.schema_editor() as editor:  # one transaction (on SQLite, foreign key checks off first)
        for model, old_table, new_table in moves:
            editor.alter_db_table(model, old_table, new_table)
            if connection.vendor == "postgresql":
                _rename_postgres_objects(editor, model, old, config.label)
        migrations = MigrationRecorder(connection).migration_qs.filter(app=old).update(app=config.label)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE django_content_type SET app_label = %s WHERE app_label = %s AND model NOT IN "
                "(SELECT model FROM django_content_type WHERE app_label = %s)",
                [config.label, old, config.label],
            )
            content_types = cursor.rowcount
    return Carried(old, config.label, len(moves), migrations, content_types)


# The names PostgreSQL gave a table's constraints, indexes and sequences: (kind of statement, query).
_POSTGRES_NAMES = (
    ("CONSTRAINT", "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass"),
    (
        "INDEX",
        "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = %s::regclass",
    ),
    (
        "SEQUENCE",
        "SELECT s.relname FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S' "
        "WHERE d.refobjid = %s::regclass",
    ),
)


def _rename_postgres_objects(
    editor: BaseDatabaseSchemaEditor, model: type[Model], old: str, new: str
) -> None:
    """Give the table's generated constraint, index and sequence names the new prefix: PostgreSQL names them
    per schema, so a later app that takes the old label would otherwise collide with them. Constraints and
    indexes the model names itself are left to its migrations (which rename them); SQLite rebuilds the
    table, and so its indexes, when those migrations run."""
    quote, limit = editor.quote_name, editor.connection.ops.max_name_length()
    table = model._meta.db_table
    declared = {c.name for c in model._meta.constraints} | {i.name for i in model._meta.indexes}
    with editor.connection.cursor() as cursor:
        for kind, query in _POSTGRES_NAMES:  # constraints first: one renames its index with it
            cursor.execute(query, [table])
            for (name,) in cursor.fetchall():
                new_name = (new + name[len(old) :])[:limit]  # Django may have shortened the table name in it
                if not name.startswith(f"{old}_") or new_name in declared:
                    continue
                if kind == "CONSTRAINT":
                    statement = (
                        f"ALTER TABLE {quote(table)} RENAME CONSTRAINT {quote(name)} TO {quote(new_name)}"
                    )
                else:
                    statement = f"ALTER {kind} {quote(name)} RENAME TO {quote(new_name)}"
                editor.execute(statement)
