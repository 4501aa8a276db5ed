"""`opencsms server serve | demo | createsuperuser` and `opencsms worker`."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from typer.testing import CliRunner

from opencsms.cli import server
from opencsms.cli.main import app
from opencsms.core import schedule
from opencsms.core.models import ChangeRecord, User
from opencsms.tara.models import Tara
from opencsms.vulns.models import AdvisorySource, Finding, LoopRule, Notification, Release, StepLink
from tests.cli.worker_tasks import add

runner = CliRunner()


@pytest.fixture(autouse=True)
def demo_feed(settings: Any, tmp_path: Path) -> Path:
    """The demo's scheduled source folder, in the test's own directory (allowed by the outbound policy)."""
    feed = tmp_path / "demo-feed"
    settings.DEMO_FEED = feed
    settings.OUTBOUND = {**settings.OUTBOUND, "source_directories": [str(feed)]}
    return feed


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
    assert "Release TCU firmware 4.2.0 on TCU: 6 findings" in result.output
    # the gateway's SBOM revision 2: gin's finding closed (v1.9.1), x/text's carried, gorilla/websocket's new
    assert "Release Gateway firmware 1.8.0 on CGW: 3 findings" in result.output
    gateway = Release.objects.get(name="Gateway firmware")
    assert [r.number for r in gateway.sbom_revisions.all()] == [2, 1]
    assert gateway.sbom_revisions.get(number=2).summary["findings"] == {"carried": 1, "closed": 1, "new": 1}
    engineer = User.objects.get(username="engineer")
    assert Notification.objects.filter(user=engineer).count() == 3  # the advisories, then the revision
    assert LoopRule.objects.get().mode == "automatic"
    assert not StepLink.objects.exists()  # nothing re-rated until the scheduled sync brings an advisory
    assert runner.invoke(app, ["server", "demo"]).exit_code == 0
    assert Tara.objects.count() == 1
    assert (Release.objects.count(), Finding.objects.count()) == (2, 9)
    assert gateway.sbom_revisions.count() == 2  # once
    accepted = Finding.objects.get(release__name="TCU firmware", vulnerability_id="CVE-2023-29401")
    until = timezone.localdate() + dt.timedelta(days=90)
    assert (accepted.decision, accepted.accepted_until, accepted.version) == ("accept", until, 2)  # once
    once = Finding.objects.filter(vulnerability_id="CVE-2022-32149").order_by("release__name")
    assert [(str(f.release), f.decision, f.version) for f in once] == [
        ("Gateway firmware 1.8.0", "remediate", 2), ("TCU firmware 4.2.0", "remediate", 2)
    ]  # one decision of the organisation for both releases, once  # fmt: skip


@pytest.mark.django_db(transaction=True)  # the worker closes the connection when it is done
def test_left_alone_the_demo_brings_in_an_advisory_by_a_scheduled_sync(demo_feed: Path) -> None:
    result = runner.invoke(app, ["server", "demo"])
    assert result.exit_code == 0, result.output
    assert f"Scheduled source 'Field advisories (demo, scheduled)' ({demo_feed})" in result.output
    assert (demo_feed / "EXAMPLE-2026-0002.json").is_file()
    assert not Finding.objects.filter(
        vulnerability_id="EXAMPLE-2026-0002"
    ).exists()  # not imported by the demo
    source = AdvisorySource.objects.get(name="Field advisories (demo, scheduled)")
    assert (source.kind, source.every) == ("osv_path", 3600)
    assert schedule.tick(timezone.now() + timedelta(seconds=1))["vulns.source_syncs"] == 1
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    finding = Finding.objects.get(vulnerability_id="EXAMPLE-2026-0002")
    assert (str(finding.release), finding.component.name) == (
        "TCU firmware 4.2.0",
        "github.com/eclipse/paho.mqtt.golang",
    )
    engineer = Notification.objects.filter(user__username="engineer", release=finding.release)
    assert engineer.filter(tara__isnull=True).count() == 2  # the demo's advisories, then this one
    # the organisation's loop rule is automatic: the finding re-rated the TCU's attack steps, a TARA risk
    # rose above acceptance, and the project's people were told, the re-rated step and the finding named
    assert LoopRule.objects.get().mode == "automatic"
    rerated = StepLink.objects.filter(finding=finding, status="applied")
    assert rerated.exists()
    assert {link.automatic for link in rerated} == {True}
    risen = engineer.filter(tara__isnull=False, finding=finding)
    assert risen.exists()
    assert all("EXAMPLE-2026-0002 in TCU firmware 4.2.0 re-rated attack step" in n.message for n in risen)
    source.refresh_from_db()
    assert (source.sync_status, source.last_result["new"]) == ("done", 1)
    assert runner.invoke(app, ["server", "demo"]).exit_code == 0  # again: the same source, not scheduled anew
    assert AdvisorySource.objects.get(pk=source.pk).next_run_at == source.next_run_at


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
