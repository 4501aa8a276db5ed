"""Advisory sources and webhooks under the outbound policy (core.outbound): checked when a source is saved
(a clear error from the service, the API and the page) and again when the worker syncs it."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from opencsms.core.errors import Invalid
from opencsms.core.models import User
from opencsms.organisation.models import Role
from opencsms.vulns import services
from opencsms.vulns.models import AdvisorySource, Notification
from opencsms.vulns.services.notifications import notify
from tests.core.localhttp import Handler, local_server
from tests.factories.core import make_user
from tests.factories.organisation import make_membership
from tests.factories.vulns import make_release, osv, osv_bytes
from tests.vulns.conftest import Team

pytestmark = pytest.mark.django_db


@pytest.fixture
def server() -> Iterator[str]:
    with local_server() as base:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("GHSA-9.json", osv_bytes(osv("GHSA-9", "left-pad")))
        Handler.files["all.zip"] = buffer.getvalue()
        yield base


def _policy(settings: Any, *, directories: tuple[str, ...] = (), hosts: tuple[str, ...] = ()) -> None:
    settings.OUTBOUND = {
        "source_directories": list(directories),
        "allow_hosts": list(hosts),
        "max_bytes": 1_000_000,
        "timeout": 5.0,
    }


def source_admin(team: Team) -> User:
    return User.objects.get(username="source-admin")


def _admin(team: Team) -> User:
    admin = make_user("source-admin")
    make_membership(admin, team.tree.organisation, Role.ADMINISTRATOR)
    return admin


def _create(team: Team, kind: str, location: str, name: str = "feed") -> AdvisorySource:
    if not User.objects.filter(username="source-admin").exists():
        _admin(team)
    return services.create_advisory_source(
        actor=source_admin(team),
        organisation_id=team.tree.organisation.pk,
        name=name,
        kind=kind,
        location=location,
    )


def test_a_loopback_feed_is_refused_unless_allowed(team: Team, settings: Any, server: str) -> None:
    _policy(settings)
    with pytest.raises(Invalid, match=r"127\.0\.0\.1, a loopback address"):
        _create(team, "osv_url", f"{server}/files/all.zip")
    assert not AdvisorySource.objects.exists()
    _policy(settings, hosts=("127.0.0.1",))
    source = _create(team, "osv_url", f"{server}/files/all.zip")
    make_release(team.engineer, team.project, "pkg:npm/left-pad@1.0.0")
    result = services.sync_source_task.call(source_id=source.pk, actor_id=source_admin(team).pk)
    assert (result["new"], result["findings"]) == (1, 1)
    _policy(settings)  # the operator withdraws the host: the worker refuses it at the next sync
    with pytest.raises(Invalid, match=r"feed: 127\.0\.0\.1 is at 127\.0\.0\.1, a loopback address"):
        services.sync_source(actor=source_admin(team), source_id=source.pk)
    assert Handler.hits == ["/files/all.zip"]


def test_a_redirect_to_loopback_is_refused_at_sync(team: Team, settings: Any, server: str) -> None:
    port = server.rsplit(":", 1)[1]
    _policy(settings, hosts=("127.0.0.1",))
    source = _create(team, "osv_url", f"{server}/redirect?to=http://localhost:{port}/files/all.zip")
    with pytest.raises(Invalid, match=r"localhost is at .* loopback"):
        services.sync_source(actor=source_admin(team), source_id=source.pk)
    source.refresh_from_db()
    assert source.last_synced_at is None


def test_folder_sources_only_inside_allowed_directories(team: Team, settings: Any, tmp_path: Path) -> None:
    allowed, outside = tmp_path / "allowed", tmp_path / "outside"
    allowed.mkdir()
    outside.mkdir()
    (outside / "GHSA-9.json").write_bytes(osv_bytes(osv("GHSA-9", "left-pad")))
    _policy(settings)
    with pytest.raises(Invalid, match="folder sources are off"):
        _create(team, "osv_path", str(allowed))
    _policy(settings, directories=(str(allowed),))
    with pytest.raises(Invalid, match="outside the directories the operator allows"):
        _create(team, "osv_path", str(outside), name="outside")
    with pytest.raises(Invalid, match=r"'\.\.'"):
        _create(team, "osv_path", f"{allowed}/../outside", name="dots")
    source = _create(team, "osv_path", str(allowed))
    (allowed / "GHSA-9.json").symlink_to(outside / "GHSA-9.json")  # added after the source was saved
    with pytest.raises(Invalid, match=r"GHSA-9\.json links outside"):
        services.sync_source(actor=source_admin(team), source_id=source.pk)


def test_the_api_and_the_page_name_the_refusal(team: Team, settings: Any) -> None:
    _policy(settings)
    client = Client()
    client.force_login(_admin(team))
    organisation_id = team.tree.organisation.pk
    payload = {"name": "internal", "kind": "csaf_rolie", "location": "http://127.0.0.1:8080/feed.json"}
    refused = client.post(
        f"/api/v1/organisations/{organisation_id}/advisory-sources", payload, content_type="application/json"
    )
    assert refused.status_code == 422
    assert "loopback address" in refused.json()["detail"]
    path = f"/organisations/{organisation_id}/advisories/"
    page = client.post(f"/organisations/{organisation_id}/advisory-sources/", payload, HTTP_REFERER=path)
    assert "loopback address" in client.get(page["Location"]).content.decode()
    assert not AdvisorySource.objects.exists()


def test_webhook_deliveries_follow_the_policy(team: Team, settings: Any, server: str) -> None:
    settings.VULNS_NOTIFY = {"email": False, "webhook": f"{server}/hook", "secret": "", "base_url": ""}
    _policy(settings)
    rows = notify(project=team.project, message="risk rose")
    services.deliver_notifications([n.pk for n in rows])
    assert "loopback address" in Notification.objects.get(pk=rows[0].pk).delivery["webhook"]
    assert Handler.hits == []
    _policy(settings, hosts=("127.0.0.1",))
    rows = notify(project=team.project, message="risk rose again")
    services.deliver_notifications([n.pk for n in rows])
    assert Notification.objects.get(pk=rows[0].pk).delivery["webhook"] == "sent: HTTP 204"
    assert Handler.hits == ["/hook"]
