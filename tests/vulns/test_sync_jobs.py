"""Advisory source syncs and notification deliveries survive a lost worker: a sync records its status and
heartbeat, a silent one is failed by the sweep (and when the source is read), and an undelivered
notification is queued once more, then recorded as failed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from typer.testing import CliRunner

from opencsms.cli.main import app
from opencsms.core.audit import AuditAction
from opencsms.core.errors import Invalid
from opencsms.core.models import ChangeRecord
from opencsms.organisation.models import Role
from opencsms.vulns import services
from opencsms.vulns.models import AdvisorySource, Notification, SyncStatus
from opencsms.vulns.services.notifications import notify
from tests.factories.core import make_user
from tests.factories.organisation import make_membership
from tests.factories.vulns import osv, osv_bytes
from tests.vulns.conftest import Team

pytestmark = pytest.mark.django_db


def _source(team: Team, settings: Any, folder: Path) -> tuple[Any, AdvisorySource]:
    settings.OUTBOUND = {**settings.OUTBOUND, "source_directories": [str(folder)]}
    admin = make_user("sync-admin")
    make_membership(admin, team.tree.organisation, Role.ADMINISTRATOR)
    source = services.create_advisory_source(
        actor=admin,
        organisation_id=team.tree.organisation.pk,
        name="go",
        kind="osv_path",
        location=str(folder),
    )
    return admin, source


def test_a_sync_records_its_status_done_or_failed(team: Team, settings: Any, tmp_path: Path) -> None:
    (tmp_path / "GHSA-9.json").write_bytes(osv_bytes(osv("GHSA-9", "left-pad")))
    admin, source = _source(team, settings, tmp_path)
    assert services.queue_sync(actor=admin, source_id=source.pk).sync_status == SyncStatus.QUEUED
    services.sync_source_task.call(source_id=source.pk, actor_id=admin.pk)
    source.refresh_from_db()
    assert (source.sync_status, source.sync_error) == (SyncStatus.DONE, "")
    assert source.sync_heartbeat_at is not None
    settings.OUTBOUND = {**settings.OUTBOUND, "source_directories": []}  # the operator closes folders
    with pytest.raises(Invalid):
        services.sync_source_task.call(source_id=source.pk, actor_id=admin.pk)
    source.refresh_from_db()
    assert source.sync_status == SyncStatus.FAILED
    assert "folder sources are off" in source.sync_error


def test_an_unexpected_error_fails_the_sync_at_once(
    team: Team, settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin, source = _source(team, settings, tmp_path)

    def broken(**_: Any) -> None:
        raise RuntimeError("a defect")

    monkeypatch.setattr("opencsms.vulns.services.syncs.sync_source", broken)
    with pytest.raises(RuntimeError):
        services.sync_source_task.call(source_id=source.pk, actor_id=admin.pk)
    source.refresh_from_db()
    assert source.sync_status == SyncStatus.FAILED  # not left running until the sweep's limit
    assert source.sync_error == "the sync stopped on an unexpected error; see the logs"


def test_a_silent_sync_is_failed_by_sweep_and_read(team: Team, settings: Any, tmp_path: Path) -> None:
    admin, source = _source(team, settings, tmp_path)
    lost = timezone.now() - timedelta(hours=1)
    AdvisorySource.objects.filter(pk=source.pk).update(sync_status=SyncStatus.RUNNING, sync_heartbeat_at=lost)
    client = Client()
    client.force_login(admin)
    read = client.get(f"/api/v1/advisory-sources/{source.pk}").json()
    assert read["sync_status"] == "failed"
    assert read["sync_error"] == "the worker stopped while syncing go; sync it again"
    record = ChangeRecord.objects.get(action=AuditAction.SOURCE_SYNC_STALLED)
    assert record.after["sync_status"] == "failed"
    AdvisorySource.objects.filter(pk=source.pk).update(sync_status=SyncStatus.RUNNING, sync_heartbeat_at=lost)
    assert [s.pk for s in services.sweep_syncs()] == [source.pk]
    AdvisorySource.objects.filter(pk=source.pk).update(
        sync_status=SyncStatus.RUNNING, sync_heartbeat_at=timezone.now()
    )
    assert services.sweep_syncs() == []  # its worker is alive
    outsider = Client()
    outsider.force_login(make_user())
    assert outsider.get(f"/api/v1/advisory-sources/{source.pk}").status_code == 404


def test_a_lost_delivery_is_queued_once_more_then_recorded_failed(team: Team, settings: Any) -> None:
    settings.VULNS_NOTIFY = {"email": True, "webhook": "", "secret": "", "base_url": ""}
    rows = notify(project=team.project, message="risk rose")
    fresh = notify(project=team.project, message="just now")
    Notification.objects.filter(pk__in=[r.pk for r in rows]).update(
        created_at=timezone.now() - timedelta(hours=1)
    )
    assert services.sweep_deliveries() == len(rows)
    assert all("retry" in r.delivery for r in Notification.objects.filter(pk__in=[r.pk for r in rows]))
    assert all(r.delivery == {} for r in Notification.objects.filter(pk__in=[r.pk for r in fresh]))
    assert services.sweep_deliveries() == 0  # the retry is recent
    Notification.objects.filter(pk__in=[r.pk for r in rows]).update(delivery={"retry": "2000-01-01T00:00:00"})
    assert services.sweep_deliveries() == len(rows)
    delivery = Notification.objects.get(pk=rows[0].pk).delivery
    assert delivery["email"].startswith("error: the worker stopped while delivering it (twice)")


def test_the_sweep_command_reports_what_it_did() -> None:
    outcome = CliRunner().invoke(app, ["server", "sweep"])
    assert outcome.exit_code == 0, outcome.output
    assert "0 imports, 0 syncs, 0 deliveries swept" in outcome.output
