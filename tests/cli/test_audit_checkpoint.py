"""`opencsms audit checkpoint` and `opencsms audit verify --checkpoint` through the Typer app, and the
delivery of one to the configured targets now (`--deliver`; the schedule:
tests/core/test_checkpoint_delivery.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core import mail
from django.test import override_settings
from typer.testing import CliRunner

from opencsms.cli.main import app
from opencsms.core.checkpoints import deliver_now, read_checkpoint
from tests.core.localhttp import local_server
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


def test_checkpoint_needs_a_file_or_delivery() -> None:
    result = runner.invoke(app, ["audit", "checkpoint"])
    assert result.exit_code == 2
    assert "give either --to FILE or --deliver" in result.output


def test_deliver_sends_one_now_to_every_target_and_exits_1_when_one_fails(tmp_path: Path) -> None:
    make_records(make_user(), 2)
    with local_server() as base:
        pass  # stopped: its port answers no more
    targets = {"every_seconds": 3600, "to": [str(tmp_path), "mailto:audit@example.com"], "secret": ""}
    with override_settings(AUDIT_CHECKPOINTS=targets):
        result = runner.invoke(app, ["audit", "checkpoint", "--deliver"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"delivered to {tmp_path}", "delivered to mailto:audit@example.com"]
    assert json.loads(str(mail.outbox[0].body)) == read_checkpoint(tmp_path)
    with override_settings(AUDIT_CHECKPOINTS={**targets, "to": [str(tmp_path), f"{base}/in"]}):
        failed = runner.invoke(app, ["audit", "checkpoint", "--deliver"])
    assert failed.exit_code == 1
    assert failed.stdout.splitlines()[0] == f"delivered to {tmp_path}"
    assert failed.stdout.splitlines()[1].startswith(f"not delivered to {base}/in: ")
    assert "cannot be reached" in failed.stdout


def test_deliver_without_a_target_says_what_to_set() -> None:
    with override_settings(AUDIT_CHECKPOINTS={"every_seconds": 3600, "to": [], "secret": ""}):
        result = runner.invoke(app, ["audit", "checkpoint", "--deliver"])
    assert result.exit_code == 2
    assert "no target: set OPENCSMS_AUDIT_CHECKPOINT_TO" in result.output


def test_verify_against_a_folder_uses_its_latest_checkpoint(tmp_path: Path) -> None:
    make_records(make_user(), 2)
    with override_settings(AUDIT_CHECKPOINTS={"every_seconds": 0, "to": [str(tmp_path)], "secret": ""}):
        deliver_now(actor=make_user())
        make_records(make_user(), 2)
        runner.invoke(app, ["audit", "checkpoint", "--deliver"])
    assert read_checkpoint(tmp_path)["seq"] == 6  # the latest: after 4 records and the first delivery's
    raw_sql("DELETE FROM core_changerecord WHERE seq >= 5")
    result = runner.invoke(app, ["audit", "verify", "--checkpoint", str(tmp_path)])
    assert result.exit_code == 1
    assert "saw record #6 (records deleted: truncated)" in result.output
    empty = runner.invoke(app, ["audit", "verify", "--checkpoint", str(tmp_path / "none")])
    assert empty.exit_code == 2
    (tmp_path / "none").mkdir()
    empty = runner.invoke(app, ["audit", "verify", "--checkpoint", str(tmp_path / "none")])
    assert (empty.exit_code, "holds no checkpoint" in empty.output) == (2, True)
