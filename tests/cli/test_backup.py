"""`opencsms backup FILE` and `opencsms restore FILE [--force]`: a round trip on SQLite and on PostgreSQL
with the uploaded files, the manifest, and every refusal (not a backup, another database kind, a damaged
copy, a database with data) leaving the database as it was."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from typer.testing import CliRunner

from opencsms.cli.main import app
from opencsms.core.backup import read_manifest
from opencsms.core.models import ChangeRecord, User
from tests.factories.core import make_records, make_user

pytestmark = pytest.mark.django_db(transaction=True)
runner = CliRunner()


@pytest.fixture
def media(tmp_path: Path) -> Path:
    root = tmp_path / "media"
    (root / "sboms").mkdir(parents=True)
    (root / "sboms" / "tcu.cdx.json").write_text('{"bomFormat": "CycloneDX"}')
    with override_settings(MEDIA_ROOT=root):
        yield root


def _archive(tmp_path: Path, manifest: dict[str, object], extra: dict[str, bytes] | None = None) -> Path:
    path = tmp_path / "crafted.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for name, data in {"manifest.json": json.dumps(manifest).encode(), **(extra or {})}.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def _round_trip(tmp_path: Path, media: Path, kind: str) -> None:
    make_records(make_user("alice"), 3)
    archive = tmp_path / "out" / "site.tar.gz"
    made = runner.invoke(app, ["backup", str(archive)])
    assert made.exit_code == 0, made.output
    assert f"{kind} database" in made.output
    manifest = read_manifest(archive)
    assert (manifest["database"], manifest["audit_head"]["seq"]) == (kind, 3)
    assert (manifest["counts"]["core.user"], manifest["counts"]["core.changerecord"]) == (1, 3)
    make_records(make_user("bob"), 2)  # changes after the backup, then the files are lost
    (media / "sboms" / "tcu.cdx.json").unlink()

    refused = runner.invoke(app, ["restore", str(archive)])
    assert refused.exit_code == 2
    assert "the database is not empty" in refused.output
    assert "--force" in refused.output
    assert ChangeRecord.objects.count() == 5  # nothing lost

    restored = runner.invoke(app, ["restore", str(archive), "--force"])
    assert restored.exit_code == 0, restored.output
    assert "1 uploaded files" in restored.output
    assert "audit chain intact up to record #3; counts match the backup" in restored.output
    assert list(User.objects.values_list("username", flat=True)) == ["alice"]
    assert ChangeRecord.objects.count() == 3
    assert (media / "sboms" / "tcu.cdx.json").read_text() == '{"bomFormat": "CycloneDX"}'
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0


@pytest.mark.sqlite_only
def test_a_sqlite_round_trip_with_the_uploaded_files(tmp_path: Path, media: Path) -> None:
    _round_trip(tmp_path, media, "sqlite")


@pytest.mark.postgres_only
def test_a_postgresql_round_trip_with_the_uploaded_files(tmp_path: Path, media: Path) -> None:
    _round_trip(tmp_path, media, "postgresql")


def test_an_empty_database_is_restored_without_force(tmp_path: Path, media: Path) -> None:
    make_records(make_user("alice"), 2)
    archive = tmp_path / "site.tar.gz"
    assert runner.invoke(app, ["backup", str(archive)]).exit_code == 0
    call_command("flush", interactive=False, verbosity=0)
    restored = runner.invoke(app, ["restore", str(archive)])
    assert restored.exit_code == 0, restored.output
    assert ChangeRecord.objects.count() == 2


def test_a_restore_under_another_audit_key_reports_the_chain(tmp_path: Path, media: Path) -> None:
    make_records(make_user(), 2)
    archive = tmp_path / "site.tar.gz"
    assert runner.invoke(app, ["backup", str(archive)]).exit_code == 0
    with override_settings(AUDIT_KEY="another-key-of-at-least-thirty-two-characters"):
        restored = runner.invoke(app, ["restore", str(archive), "--force"])
    assert restored.exit_code == 1
    assert "problems after the restore" in restored.output
    assert "audit chain: record #1: its content does not match its hash (edited)" in restored.output


def test_a_file_that_is_no_backup_is_refused(tmp_path: Path) -> None:
    make_records(make_user(), 1)
    path = tmp_path / "notes.tar.gz"
    path.write_bytes(b"not a tar")
    result = runner.invoke(app, ["restore", str(path), "--force"])
    assert result.exit_code == 2
    assert "not a readable OpenCSMS backup" in result.output
    crafted = _archive(tmp_path, {"format": "something-else"})
    result = runner.invoke(app, ["restore", str(crafted), "--force"])
    assert (result.exit_code, "not an OpenCSMS backup" in result.output) == (2, True)
    assert ChangeRecord.objects.count() == 1


def test_a_backup_of_another_database_kind_is_refused(tmp_path: Path) -> None:
    other = "sqlite" if read_kind() == "postgresql" else "postgresql"
    crafted = _archive(tmp_path, {"format": "opencsms-backup/1", "database": other})
    result = runner.invoke(app, ["restore", str(crafted), "--force"])
    assert result.exit_code == 2
    assert f"the backup is of a {other} database" in result.output


def test_a_damaged_database_copy_is_refused_before_anything_is_overwritten(tmp_path: Path) -> None:
    make_records(make_user(), 2)
    kind = read_kind()
    name = "database.sqlite3" if kind == "sqlite" else "database.pgdump"
    manifest = {"format": "opencsms-backup/1", "database": kind, "counts": {}, "audit_head": {}}
    crafted = _archive(tmp_path, manifest, {name: b"garbage" * 1000})
    result = runner.invoke(app, ["restore", str(crafted), "--force"])
    assert result.exit_code == 2
    assert "restore refused" in result.output
    assert ChangeRecord.objects.count() == 2


def read_kind() -> str:
    from opencsms.core import dbcopy

    return dbcopy.kind()
