"""Notifications: one per release with new findings (and per TARA risk rise), to the project's engineers
and managers; delivered by email and webhook by the worker after the change commits; marked read by their
owner only."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult
from typer.testing import CliRunner

from opencsms.cli.main import app
from opencsms.core.models import User
from opencsms.core.outbound import SIGNATURE_HEADER
from opencsms.vulns import selectors, services
from opencsms.vulns.models import Finding, Notification
from opencsms.vulns.services.notifications import notify, notify_new_findings
from tests.factories.vulns import CRITICAL, make_release, osv, osv_bytes
from tests.vulns.conftest import Team

SECRET = "webhook-secret"


class Hook(BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Hook.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def webhook() -> Iterator[str]:
    Hook.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()


def _configure(settings: Any, webhook: str = "") -> None:
    settings.VULNS_NOTIFY = {
        "email": True,
        "webhook": webhook,
        "secret": SECRET,
        "base_url": "https://csms.test",
    }
    settings.OUTBOUND = {**settings.OUTBOUND, "allow_hosts": ["127.0.0.1"]}  # the test's own webhook


def _import(team: Team, *records: dict[str, object]) -> services.ImportResult:
    return services.import_advisories(
        actor=team.engineer, project_id=team.project.pk, raw=osv_bytes(*records)
    )


@pytest.mark.django_db
def test_new_findings_notify_the_people_of_each_release(team: Team) -> None:
    first = make_release(team.engineer, team.project, "pkg:npm/left-pad@1.0.0", version="1")
    second = make_release(
        team.engineer, team.project, "pkg:npm/left-pad@1.0.0", "pkg:npm/b@1.0.0", version="2"
    )
    assert not Notification.objects.exists()  # an upload shows its findings to the uploader at once
    _import(team, osv("GHSA-1", "left-pad", vector=CRITICAL, aliases=("CVE-2024-1",)), osv("GHSA-2", "b"))
    rows = Notification.objects.order_by("release_id", "user_id")
    assert {(n.release_id, n.user) for n in rows} == {
        (release.pk, user) for release in (first, second) for user in (team.engineer, team.manager)
    }
    message = rows.filter(release=second).first().message
    assert message == "2 new findings in ecu 2: CVE-2024-1, GHSA-2 (1 critical or high)"
    assert not DBTaskResult.objects.exists()  # no channel configured: nothing to deliver
    assert selectors.unread_count(team.engineer) == 2
    assert selectors.unread_count(team.auditor) == 0


@pytest.mark.django_db
def test_new_findings_of_several_releases_cost_the_queries_of_one(team: Team, settings: Any) -> None:
    _configure(settings)
    releases = [
        make_release(team.engineer, team.project, "pkg:npm/left-pad@1.0.0", version=f"1.{n}")
        for n in range(4)
    ]
    _import(team, osv("GHSA-1", "left-pad"))
    assert DBTaskResult.objects.count() == 1  # one delivery for the whole import
    Notification.objects.all().delete()

    def cost(rows: list[Finding]) -> int:
        with CaptureQueriesContext(connection) as captured:
            notify_new_findings(rows)
        return len(captured)

    one = cost(list(Finding.objects.filter(release=releases[0])))
    several = cost(list(Finding.objects.all()))
    assert one == several
    assert Notification.objects.filter(release=releases[0]).count() == 4  # 2 people, notified twice here
    assert Notification.objects.count() == 2 + 2 * 4
    assert DBTaskResult.objects.count() == 3


@pytest.mark.django_db
def test_mark_read_touches_only_the_callers_own(team: Team) -> None:
    make_release(team.engineer, team.project, "pkg:npm/left-pad@1.0.0")
    _import(team, osv("GHSA-1", "left-pad"), osv("GHSA-3", "left-pad", fixed="3.0.0"))
    mine = Notification.objects.get(user=team.engineer)
    others = Notification.objects.get(user=team.manager)
    assert services.mark_notifications_read(actor=team.engineer, notification_ids=[others.pk]) == 0
    assert services.mark_notifications_read(actor=team.engineer, notification_ids=[mine.pk]) == 1
    assert services.mark_notifications_read(actor=team.engineer) == 0
    assert services.mark_notifications_read(actor=team.manager) == 1
    assert not Notification.objects.filter(read_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_delivery_by_email_and_webhook_runs_in_the_worker_after_the_commit(
    team: Team, settings: Any, webhook: str
) -> None:
    _configure(settings, webhook)
    User.objects.filter(pk=team.engineer.pk).update(email="engineer@example.com")
    make_release(team.engineer, team.project, "pkg:npm/left-pad@1.0.0")
    _import(team, osv("GHSA-1", "left-pad"))
    assert (len(mail.outbox), Hook.received) == (0, [])  # queued with the change, not sent inside it
    assert DBTaskResult.objects.count() == 1
    outcome = CliRunner().invoke(app, ["worker", "--batch", "--no-startup-delay"])
    assert outcome.exit_code == 0, outcome.output
    (email,) = mail.outbox
    assert email.to == ["engineer@example.com"]
    assert "1 new finding in ecu 1.0: GHSA-1" in email.body
    assert "https://csms.test/notifications/" in email.body
    ((headers, body),) = Hook.received
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers[SIGNATURE_HEADER.lower()] == expected
    sent = json.loads(body)["notifications"]
    assert {n["user"] for n in sent} == {"engineer", "manager"}
    deliveries = {n.user.username: n.delivery for n in Notification.objects.select_related("user")}
    assert deliveries["engineer"]["email"] == "sent"
    assert deliveries["manager"]["email"] == "skipped: no address"
    assert deliveries["manager"]["webhook"] == "sent: HTTP 204"
    assert services.deliver_notifications([n.pk for n in Notification.objects.all()]) == {"delivered": 0}


@pytest.mark.django_db(transaction=True)
def test_a_change_that_rolls_back_queues_nothing(team: Team, settings: Any) -> None:
    _configure(settings)

    @transaction.atomic
    def failing_change() -> None:
        notify(project=team.project, message="never sent")
        raise RuntimeError("the change fails after notifying")

    with pytest.raises(RuntimeError):
        failing_change()
    assert not Notification.objects.exists()
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db
def test_a_failing_webhook_is_recorded_not_raised(team: Team, settings: Any) -> None:
    _configure(settings, "http://127.0.0.1:9/unreachable")
    rows = notify(project=team.project, message="risk rose")
    assert services.deliver_notifications([n.pk for n in rows]) == {"delivered": 2}
    delivery = Notification.objects.first().delivery
    assert delivery["webhook"].startswith("error:")
    assert delivery["email"] == "skipped: no address"
