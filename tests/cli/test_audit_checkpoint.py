"""`opencsms audit checkpoint` and `opencsms audit verify --checkpoint` through the Typer app, and the
scheduled checkpoint task."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import override_settings
from django_tasks_db.models import DBTaskResult
from typer.testing import CliRunner

from opencsms.cli.main import app
from opencsms.core.checkpoints import write_checkpoint_task
from tests.factories.core import make_records, make_user, raw_sql

pytestmark = pytest.mark.django_db
runner = CliRunner()


def test_a_checkpoint_is_written_and_verified_against(tmp_path: Path) -> None:
    make_records(make_user(), 4)
    path = tmp_path / "offsite" / "checkpoint.json"
    written = runner.invoke(app, ["audit", "checkpoint", "--to", str(path)])
    assert written.exit_code == 0, written.output
    assert f"checkpoint of record #4 written to {path}" in written.output
    assert json.loads(path.read_text())["seq"] == 4
    verified = runner.invoke(app, ["audit", "verify", "--checkpoint", str(path)])
    assert verified.exit_code == 0, verified.output
    assert verified.output.strip() == "4 records, chain intact, and it reaches checkpoint #4"


def test_verify_against_a_checkpoint_finds_everything_deleted(tmp_path: Path) -> None:
    make_records(make_user(), 3)
    path = tmp_path / "checkpoint.json"
    runner.invoke(app, ["audit", "checkpoint", "--to", str(path)])
    raw_sql("DELETE FROM core_changerecord")
    raw_sql("DELETE FROM core_auditchainhead")
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0  # without the checkpoint: looks empty
    result = runner.invoke(app, ["audit", "verify", "--checkpoint", str(path)])
    assert result.exit_code == 1
    assert "the chain is empty but the checkpoint of" in result.output
    assert "saw record #3 (records deleted: truncated)" in result.output


def test_a_tampered_checkpoint_file_is_reported(tmp_path: Path) -> None:
    make_records(make_user(), 2)
    path = tmp_path / "checkpoint.json"
    runner.invoke(app, ["audit", "checkpoint", "--to", str(path)])
    data = json.loads(path.read_text())
    path.write_text(json.dumps({**data, "seq": 1}))
    result = runner.invoke(app, ["audit", "verify", "--checkpoint", str(path)])
    assert result.exit_code == 1
    assert "not signed with this installation's audit key" in result.output


def test_a_file_that_is_no_checkpoint_is_refused_with_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "notes.json"
    path.write_text("[1, 2]")
    result = runner.invoke(app, ["audit", "verify", "--checkpoint", str(path)])
    assert result.exit_code == 2
    assert "not an audit checkpoint" in result.output
    missing = runner.invoke(app, ["audit", "verify", "--checkpoint", str(tmp_path / "none.json")])
    assert (missing.exit_code, "not a readable checkpoint" in missing.output) == (2, True)


def test_checkpoint_needs_a_file_or_the_schedule() -> None:
    result = runner.invoke(app, ["audit", "checkpoint"])
    assert result.exit_code == 2
    assert "give either --to FILE or --schedule" in result.output


def test_schedule_enqueues_the_task_once() -> None:
    result = runner.invoke(app, ["audit", "checkpoint", "--schedule"])
    assert result.exit_code == 0, result.output
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "opencsms.core.checkpoints.write_checkpoint_task"
    assert f"checkpoints scheduled (task {queued.id})" in result.output
    again = runner.invoke(app, ["audit", "checkpoint", "--schedule"])
    assert f"already scheduled (task {queued.id})" in again.output
    assert DBTaskResult.objects.count() == 1


def test_the_task_writes_a_checkpoint_and_enqueues_the_next(tmp_path: Path) -> None:
    make_records(make_user(), 2)
    with override_settings(AUDIT_CHECKPOINT_DIR=tmp_path, AUDIT_CHECKPOINT_MINUTES=30):
        written = Path(write_checkpoint_task.call())
    assert written.parent == tmp_path
    assert written.name.startswith("checkpoint-000000000002-")
    assert json.loads(written.read_text())["seq"] == 2
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "opencsms.core.checkpoints.write_checkpoint_task"
    assert queued.run_after > queued.enqueued_at
    verified = runner.invoke(app, ["audit", "verify", "--checkpoint", str(written)])
    assert verified.exit_code == 0, verified.output


def test_the_task_does_not_repeat_when_switched_off(tmp_path: Path) -> None:
    with override_settings(AUDIT_CHECKPOINT_DIR=tmp_path, AUDIT_CHECKPOINT_MINUTES=0):
        write_checkpoint_task.call()
    assert not DBTaskResult.objects.exists()
    assert len(list(tmp_path.glob("checkpoint-*.json"))) == 1


def test_verify_against_a_folder_uses_its_latest_checkpoint(tmp_path: Path) -> None:
    make_records(make_user(), 2)
    with override_settings(AUDIT_CHECKPOINT_DIR=tmp_path, AUDIT_CHECKPOINT_MINUTES=0):
        write_checkpoint_task.call()
        make_records(make_user(), 2)
        write_checkpoint_task.call()
    raw_sql("DELETE FROM core_changerecord WHERE seq = 4")
    result = runner.invoke(app, ["audit", "verify", "--checkpoint", str(tmp_path)])
    assert result.exit_code == 1
    assert "saw record #4 (records deleted: truncated)" in result.output
    empty = runner.invoke(app, ["audit", "verify", "--checkpoint", str(tmp_path / "none")])
    assert empty.exit_code == 2
    (tmp_path / "none").mkdir()
    empty = runner.invoke(app, ["audit", "verify", "--checkpoint", str(tmp_path / "none")])
    assert (empty.exit_code, "holds no checkpoint" in empty.output) == (2, True)
