"""`opencsms server serve | demo | createsuperuser` and `opencsms worker`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django_tasks import TaskResultStatus
from typer.testing import CliRunner

from opencsms.cli import server
from opencsms.cli.main import app
from opencsms.core.models import ChangeRecord, User
from opencsms.tara.models import Tara
from opencsms.vulns.models import Finding, LoopRule, Notification, Release, StepLink
from tests.cli.worker_tasks import add

runner = CliRunner()


def test_serve_migrates_collects_static_files_then_becomes_gunicorn(monkeypatch: pytest.MonkeyPatch) -> None:
    commands: list[list[str]] = []
    executed: list[list[str]] = []
    monkeypatch.setattr(server, "run_management_command", commands.append)
    monkeypatch.setattr(server.os, "execv", lambda path, argv: executed.append([path, *argv]))
    result = runner.invoke(
        app,
        ["server", "serve", "--host", "192.0.2.10", "--port", "8123", "--workers", "3"],
    )
    assert result.exit_code == 0, result.output
    assert [command[0] for command in commands] == ["migrate", "collectstatic"]
    path, *argv = executed[0]
    assert path == sys.executable
    assert argv[1:4] == ["-m", "gunicorn", "opencsms.config.wsgi:application"]
    assert argv[argv.index("--bind") + 1] == "192.0.2.10:8123"
    assert argv[argv.index("--workers") + 1] == "3"
    timeout = int(argv[argv.index("--timeout") + 1])  # fits the largest synchronous TARA import
    assert timeout == settings.SERVE_TIMEOUT >= settings.TARA_SYNC_IMPORT_MAX_BYTES / 2**20 * 10


def test_serve_with_worker_supervises_gunicorn_and_the_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    supervised: list[list[list[str]]] = []
    monkeypatch.setattr(server, "run_management_command", lambda command: None)
    monkeypatch.setattr(server.os, "execv", lambda path, argv: pytest.fail("serve must not exec"))
    monkeypatch.setattr(server, "supervise", lambda commands: supervised.append(commands) or 0)
    result = runner.invoke(app, ["server", "serve", "--port", "8124", "--with-worker"])
    assert result.exit_code == 0, result.output
    gunicorn, worker = supervised[0]
    assert gunicorn[1:3] == ["-m", "gunicorn"]
    assert worker == [sys.executable, "-m", "opencsms.cli.main", "worker"]


def test_the_worker_command_runs_the_worker() -> None:
    shown = subprocess.run([*server.WORKER_COMMAND, "--help"], capture_output=True, text=True, check=True)
    assert "background task worker" in shown.stdout


def test_an_ipv6_address_is_bracketed_for_gunicorn() -> None:
    command = server.gunicorn_command(host="::1", port=8000, workers=1)
    assert command[command.index("--bind") + 1] == "[::1]:8000"


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_an_enqueued_task() -> None:
    result = add.enqueue(2, 3)
    assert result.status == TaskResultStatus.READY
    outcome = runner.invoke(app, ["worker", "--batch", "--no-startup-delay"])
    assert outcome.exit_code == 0, outcome.output
    result.refresh()
    assert (result.status, result.return_value) == (TaskResultStatus.SUCCESSFUL, 5)


@pytest.mark.django_db
def test_demo_prints_the_credentials_of_every_role() -> None:
    result = runner.invoke(app, ["server", "demo"])
    assert result.exit_code == 0, result.output
    assert "Demo Motors > E/E Platform > Connected EV" in result.output
    for line in (
        "engineer    engineer-demo-2026",
        "Supplier guest at project",
        "Administrator at organisation",
    ):
        assert line in result.output
    assert "TARA 'Connected EV reference vehicle - TARA': 60 threat scenarios" in result.output
    assert User.objects.get(username="auditor").check_password("auditor-demo-2026")
    correlation_ids = set(ChangeRecord.objects.values_list("correlation_id", flat=True))
    assert len(correlation_ids) == 1  # one command, one correlation id
    assert correlation_ids != {""}
    assert Tara.objects.get().ref == "connected-ev"  # the reference TARA, imported once
    assert "Release TCU firmware 4.2.0 on TCU: 7 findings" in result.output  # 6 + the loop's made-up one
    assert "Release Gateway firmware 1.8.0 on CGW: 2 findings" in result.output
    engineer = User.objects.get(username="engineer")
    news = Notification.objects.filter(user=engineer, tara__isnull=True)
    assert news.count() == 3  # the advisories came after the SBOMs; then the loop's advisory
    assert LoopRule.objects.get().mode == "automatic"
    rerated = StepLink.objects.filter(finding__vulnerability_id="EXAMPLE-2026-0002", status="applied")
    assert rerated.exists()
    assert {link.automatic for link in rerated} == {True}
    risen = Notification.objects.filter(user=engineer, tara__isnull=False, finding__isnull=False)
    assert risen.exists()  # a TARA risk rose above acceptance: the re-rated step and the finding named
    assert all("EXAMPLE-2026-0002 in TCU firmware 4.2.0 re-rated attack step" in n.message for n in risen)
    assert runner.invoke(app, ["server", "demo"]).exit_code == 0
    assert Tara.objects.count() == 1
    assert (Release.objects.count(), Finding.objects.count()) == (2, 9)


@pytest.mark.django_db
def test_createsuperuser_is_audited() -> None:
    password = "a-long-enough-password-1"
    result = runner.invoke(app, ["server", "createsuperuser", "--username", "root", "--password", password])
    assert result.exit_code == 0, result.output
    assert User.objects.get(username="root").is_superuser
    assert ChangeRecord.objects.filter(object_repr="root", actor__username="opencsms-system").exists()
    refused = runner.invoke(app, ["server", "createsuperuser", "--username", "weak", "--password", "abc"])
    assert refused.exit_code == 1
    assert "too short" in refused.output


@pytest.mark.django_db
def test_demo_runs_again_without_duplicating_anything() -> None:
    assert runner.invoke(app, ["server", "demo"]).exit_code == 0
    records = ChangeRecord.objects.count()
    again = runner.invoke(app, ["server", "demo"])
    assert again.exit_code == 0, again.output
    assert Tara.objects.count() == 1
    assert ChangeRecord.objects.count() == records


@pytest.mark.django_db
def test_tara_import_and_export_act_as_the_named_user(tmp_path: Path) -> None:
    assert runner.invoke(app, ["server", "demo"]).exit_code == 0
    project = Tara.objects.get().project_id
    source = tmp_path / "mine.tara.yaml"
    source.write_bytes(Path("examples/keyless-heavens.tara.yaml").read_bytes())
    refused = runner.invoke(
        app, ["server", "tara", "import", str(source), "--project", str(project), "-u", "auditor"]
    )
    assert refused.exit_code == 1
    assert "may not edit" in refused.output
    done = runner.invoke(
        app, ["server", "tara", "import", str(source), "--project", str(project), "-u", "engineer"]
    )
    assert done.exit_code == 0, done.output
    tara = Tara.objects.get(ref="keyless-heavens")
    record = ChangeRecord.objects.get(object_type="tara.tara", object_id=str(tara.pk))
    assert record.actor.username == "engineer"
    out = tmp_path / "out.yaml"
    exported = runner.invoke(app, ["server", "tara", "export", str(tara.pk), "-u", "auditor", "-o", str(out)])
    assert exported.exit_code == 0, exported.output
    assert out.read_text().startswith("opencsms: tara/1\nid: keyless-heavens\n")
    hidden = runner.invoke(app, ["server", "tara", "export", str(tara.pk), "-u", "nobody"])
    assert hidden.exit_code == 1


@pytest.mark.django_db
def test_tara_generate_previews_then_proposes_as_the_named_user() -> None:
    assert runner.invoke(app, ["server", "demo"]).exit_code == 0
    tara = Tara.objects.get()
    preview = runner.invoke(app, ["server", "tara", "generate", str(tara.pk), "-u", "auditor", "--dry-run"])
    assert preview.exit_code == 0, preview.output
    would = int(preview.output.split("would propose ")[1].split()[0])
    assert would > 0
    assert preview.output.count("\n  + G-") == would
    assert not tara.elements.filter(ref__startswith="G-").exists()
    refused = runner.invoke(app, ["server", "tara", "generate", str(tara.pk), "-u", "auditor"])
    assert (refused.exit_code, "may not edit" in refused.output) == (1, True)
    done = runner.invoke(app, ["server", "tara", "generate", str(tara.pk), "-u", "engineer"])
    assert done.exit_code == 0, done.output
    assert tara.elements.filter(ref__startswith="G-").count() == would
    record = ChangeRecord.objects.get(action="tara.threats_generated")
    assert (record.actor.username, len(record.after["added"])) == ("engineer", would)
    again = runner.invoke(app, ["server", "tara", "generate", str(tara.pk), "-u", "engineer"])
    assert "proposed 0 threat scenarios, obsolete 0, revived 0" in again.output
