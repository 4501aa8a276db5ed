"""A database made before the organisation app was renamed (`products` -> `organisation`) migrates with
today's code and keeps every row, link and audit record: copies of databases that the landed version made
(tests/fixtures/landed) are migrated in a subprocess on SQLite and on PostgreSQL."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from opencsms.core import renames
from tests.paths import FIXTURES

LANDED = FIXTURES / "landed"

# What the landed database holds, read with plain SQL before the migration (tables named the old way).
FACTS_SQL = {
    "organisations": "SELECT id, name FROM products_organisation ORDER BY id",
    "business_units": "SELECT id, organisation_id, name FROM products_businessunit ORDER BY id",
    "projects": "SELECT id, business_unit_id, name FROM products_project ORDER BY id",
    "memberships": "SELECT id, user_id, organisation_id, business_unit_id, project_id, role "
    "FROM products_membership ORDER BY id",
    "taras": "SELECT t.ref, p.name FROM tara_tara t JOIN products_project p ON p.id = t.project_id "
    "ORDER BY t.ref",
    "releases": "SELECT r.id, p.name FROM vulns_release r JOIN products_project p ON p.id = r.project_id "
    "ORDER BY r.id",
    "project_history": "SELECT seq FROM core_changerecord WHERE object_type = 'products.project' "
    "ORDER BY seq DESC",
}

# The same facts read through today's models, after the migration, in the migrated database's own process.
CHECK = """
import json
from opencsms.cli.django_setup import setup_django
setup_django()
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from opencsms.core import audit
from opencsms.core.selectors import object_history
from opencsms.core.services import system_user
from opencsms.organisation import services
from opencsms.organisation.models import BusinessUnit, Membership, Organisation, Project
from opencsms.tara.models import Tara
from opencsms.vulns.models import Release

project = Project.objects.get()
facts = {
    "organisations": list(Organisation.objects.order_by("id").values_list("id", "name")),
    "business_units": list(BusinessUnit.objects.order_by("id").values_list("id", "organisation_id", "name")),
    "projects": list(Project.objects.order_by("id").values_list("id", "business_unit_id", "name")),
    "memberships": list(Membership.objects.order_by("id").values_list(
        "id", "user_id", "organisation_id", "business_unit_id", "project_id", "role")),
    "taras": list(Tara.objects.order_by("ref").values_list("ref", "project__name")),
    "releases": list(Release.objects.order_by("id").values_list("id", "project__name")),
    "project_history": [
        r.seq for r in object_history(Q(), object_type="organisation.project", object_id=str(project.pk))
        if r.object_type == "products.project"
    ],
    "content_types": sorted(ContentType.objects.filter(
        app_label__in=["products", "organisation"]).values_list("app_label", "model")),
    "chain": audit.verify_chain(),
}
before = max(Organisation.objects.values_list("id", flat=True))
created = services.create_organisation(actor=system_user(), name="After")
facts["new_organisation_id_above_old"] = created.pk > before
facts["chain_after_write"] = audit.verify_chain()
print(json.dumps(facts))
"""


def _landed_facts(cursor: Any) -> dict[str, list[list[Any]]]:
    facts = {}
    for name, sql in FACTS_SQL.items():
        cursor.execute(sql)
        rows = [list(row) for row in cursor.fetchall()]
        facts[name] = [row[0] for row in rows] if name == "project_history" else rows
    return facts


def _opencsms(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OPENCSMS_DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def _migrate_and_check(database_url: str, landed: dict[str, list[Any]]) -> None:
    manage = ["-m", "opencsms.cli.main", "server", "manage"]
    first = _opencsms(database_url, *manage, "migrate", "--noinput")
    assert first.returncode == 0, first.stderr
    assert (
        "Renamed app products -> organisation: 4 tables, 1 applied migrations and 4 content types"
        in first.stdout
    )
    assert "Applying organisation.0002_constraint_names... OK" in first.stdout

    again = _opencsms(database_url, *manage, "migrate", "--noinput")
    assert again.returncode == 0, again.stderr
    assert "Renamed" not in again.stdout
    assert "No migrations to apply." in again.stdout
    pending = _opencsms(database_url, *manage, "makemigrations", "--check", "--dry-run")
    assert pending.returncode == 0, pending.stdout + pending.stderr

    checked = _opencsms(database_url, "-c", CHECK)
    assert checked.returncode == 0, checked.stderr
    facts = json.loads(checked.stdout.strip().splitlines()[-1])
    assert landed["project_history"], "the landed database has audit records of its project"
    for name in FACTS_SQL:
        assert facts[name] == landed[name], name
    assert facts["content_types"] == [
        ["organisation", "businessunit"],
        ["organisation", "membership"],
        ["organisation", "organisation"],
        ["organisation", "project"],
    ]
    assert facts["chain"] == []
    assert facts["chain_after_write"] == []
    assert facts["new_organisation_id_above_old"] is True


def test_a_landed_sqlite_database_is_carried_over_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "landed.sqlite3"
    with gzip.open(LANDED / "products-era.sqlite3.gz") as packed, path.open("wb") as out:
        shutil.copyfileobj(packed, out)
    with sqlite3.connect(path) as connection:
        landed = _landed_facts(connection.cursor())
    _migrate_and_check(f"sqlite:///{path}", landed)
    with sqlite3.connect(path) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        assert not {t for t in tables if t.startswith("products_")}
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []


@pytest.fixture
def landed_postgres() -> Iterator[str]:
    import psycopg

    base = os.environ["OPENCSMS_DATABASE_URL"]
    name = f"landed_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = base.rsplit("/", 1)[0] + f"/{name}"
    try:
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(
                gzip.decompress((LANDED / "products-era.postgres.sql.gz").read_bytes()).decode()
            )
        yield url
    finally:
        with psycopg.connect(base, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_a_landed_postgres_database_is_carried_over_and_keeps_its_data(landed_postgres: str) -> None:
    import psycopg

    with psycopg.connect(landed_postgres) as connection:
        landed = _landed_facts(connection.cursor())
    _migrate_and_check(landed_postgres, landed)
    with psycopg.connect(landed_postgres) as connection:
        names = connection.execute(
            "SELECT relname FROM pg_class WHERE relname LIKE 'products%' "
            "UNION SELECT conname FROM pg_constraint WHERE conname LIKE 'products%' AND conrelid IN "
            "(SELECT oid FROM pg_class WHERE relname LIKE 'organisation%')"
        ).fetchall()
        assert names == []


def test_object_types_name_the_model_under_its_old_label_too() -> None:
    assert renames.object_types("organisation.project") == ["organisation.project", "products.project"]
    assert renames.object_types("tara.tara") == ["tara.tara"]
