"""The status of vulnerability monitoring's background jobs on the pages: an advisory source's sync (queued,
then done or failed with its error, the sources table asking again while it waits; a sync whose worker was
lost shown failed with its message, the status the sync records on the source) and each notification's
delivery (queued, sent, or the channel's error)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone

from opencsms.core.models import User
from opencsms.organisation.models import Organisation, Role
from opencsms.vulns import services
from opencsms.vulns.models import AdvisorySource, Notification, SyncStatus
from tests.factories.core import make_user
from tests.factories.organisation import Tree, make_membership, make_tree
from tests.factories.workspace import VULN_EXAMPLES

pytestmark = pytest.mark.django_db


def _admin(organisation: Organisation) -> tuple[User, Client]:
    admin = make_user()
    make_membership(admin, organisation, Role.ADMINISTRATOR)
    client = Client()
    client.force_login(admin)
    return admin, client


def _source(admin: User, organisation: Organisation, location: str) -> AdvisorySource:
    return services.create_advisory_source(
        actor=admin, organisation_id=organisation.pk, name="Go vulndb", kind="osv_path", location=location
    )


def _row(html: str, source: AdvisorySource) -> str:
    start = html.index(f'data-source="{source.pk}"')
    return html[start : html.index("</tr>", start)]


def _run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


@pytest.mark.django_db(transaction=True)  # the worker closes the connection when it is done
def test_a_queued_sync_shows_queued_then_done(settings: Any) -> None:
    settings.OUTBOUND = {**settings.OUTBOUND, "source_directories": [str(VULN_EXAMPLES)]}
    tree = make_tree()
    admin, client = _admin(tree.organisation)
    source = _source(admin, tree.organisation, str(VULN_EXAMPLES / "advisories"))
    services.queue_sync(actor=admin, source_id=source.pk)
    page = client.get(f"/organisations/{tree.organisation.pk}/advisories/").content.decode()
    status_url = f"/organisations/{tree.organisation.pk}/advisory-sources/status/"
    assert ">queued</span>" in _row(page, source)
    assert f'hx-get="{status_url}" hx-trigger="every 2s"' in page
    _run_worker()
    partial = client.get(status_url).content.decode()
    assert ">done</span>" in _row(partial, source)
    assert "every 2s" not in partial
    assert "<html" not in partial


@pytest.mark.django_db(transaction=True)
def test_a_failed_sync_shows_its_error(settings: Any, tmp_path: Path) -> None:
    settings.OUTBOUND = {**settings.OUTBOUND, "source_directories": [str(tmp_path)]}
    tree = make_tree()
    admin, client = _admin(tree.organisation)
    source = _source(admin, tree.organisation, str(tmp_path / "nowhere"))
    services.queue_sync(actor=admin, source_id=source.pk)
    _run_worker()
    row = _row(
        client.get(f"/organisations/{tree.organisation.pk}/advisory-sources/status/").content.decode(), source
    )
    assert ">failed</span>" in row
    assert f"{tmp_path}/nowhere" in row
    assert "Traceback" not in row


@pytest.mark.parametrize("path", ["advisories/", "advisory-sources/status/"])
def test_a_sync_whose_worker_was_lost_shows_failed_with_its_message(path: str) -> None:
    tree = make_tree()
    admin, client = _admin(tree.organisation)
    source = _source(admin, tree.organisation, "/srv/osv")
    lost = timezone.now() - timedelta(hours=1)
    AdvisorySource.objects.filter(pk=source.pk).update(sync_status=SyncStatus.RUNNING, sync_heartbeat_at=lost)
    page = client.get(f"/organisations/{tree.organisation.pk}/{path}").content.decode()
    row = _row(page, source)
    assert ">failed</span>" in row
    assert "the worker stopped while syncing Go vulndb; sync it again" in row
    assert "every 2s" not in page  # nothing left to wait for
    source.refresh_from_db()
    assert source.sync_status == SyncStatus.FAILED


def test_a_running_sync_with_a_live_worker_shows_running_and_is_asked_again() -> None:
    tree = make_tree()
    admin, client = _admin(tree.organisation)
    source = _source(admin, tree.organisation, "/srv/osv")
    AdvisorySource.objects.filter(pk=source.pk).update(
        sync_status=SyncStatus.RUNNING, sync_heartbeat_at=timezone.now()
    )
    page = client.get(f"/organisations/{tree.organisation.pk}/advisory-sources/status/").content.decode()
    assert ">running</span>" in _row(page, source)
    assert "every 2s" in page


def test_a_never_synced_source_shows_no_job_status() -> None:
    tree = make_tree()
    admin, client = _admin(tree.organisation)
    source = _source(admin, tree.organisation, "/srv/osv")
    page = client.get(f"/organisations/{tree.organisation.pk}/advisory-sources/status/").content.decode()
    assert 'data-testid="job-status"' not in _row(page, source)


def test_the_sync_status_is_for_the_organisations_viewers_only() -> None:
    tree: Tree = make_tree()
    other = make_tree()
    _, client = _admin(other.organisation)
    assert client.get(f"/organisations/{tree.organisation.pk}/advisory-sources/status/").status_code == 404


@pytest.mark.parametrize(
    ("delivery", "channels", "shown"),
    [
        ({}, {"email": True}, ">queued</span>"),
        ({"email": "sent", "webhook": "skipped: no webhook", "at": "2026-12-07"}, {}, ">done</span>"),
        ({"email": "sent", "webhook": "error: HTTP 500", "at": "2026-12-07"}, {}, "webhook: HTTP 500"),
    ],
)
def test_each_notification_shows_its_delivery(
    delivery: dict[str, str], channels: dict[str, bool], shown: str
) -> None:
    tree = make_tree()
    user = make_user()
    Notification.objects.create(user=user, project=tree.project, message="New findings", delivery=delivery)
    client = Client()
    client.force_login(user)
    config = {"email": False, "webhook": "", "secret": "", "base_url": "", **channels}
    with override_settings(VULNS_NOTIFY=config):
        page = client.get("/notifications/").content.decode()
    assert shown in page


def test_without_a_channel_an_undelivered_notification_shows_no_status() -> None:
    tree = make_tree()
    user = make_user()
    Notification.objects.create(user=user, project=tree.project, message="New findings")
    client = Client()
    client.force_login(user)
    with override_settings(VULNS_NOTIFY={"email": False, "webhook": "", "secret": "", "base_url": ""}):
        page = client.get("/notifications/").content.decode()
    assert 'data-testid="job-status"' not in page
