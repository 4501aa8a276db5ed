"""The schedule form of an advisory source on the organisation's page: it shows what is saved (a preset, or
another interval the API set), saves it, refuses an interval out of range with the reason and nothing
changed, and is shown to editors only (a viewer reads the schedule)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from opencsms.organisation.models import Role
from opencsms.vulns import services
from opencsms.vulns.models import AdvisorySource
from tests.factories.core import make_user
from tests.factories.organisation import make_membership, make_tree

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _row(html: str, source: AdvisorySource) -> str:
    start = html.index(f'data-source="{source.pk}"')
    return html[start : html.index("</tr>", start)]


def test_the_schedule_form_shows_saves_and_refuses(settings: Any) -> None:
    settings.OUTBOUND = {**settings.OUTBOUND, "allow_hosts": ["127.0.0.1"]}
    tree = make_tree()
    admin, auditor = make_user(), make_user()
    make_membership(admin, tree.organisation, Role.ADMINISTRATOR)
    make_membership(auditor, tree.organisation, Role.AUDITOR)
    source = services.create_advisory_source(
        actor=admin,
        organisation_id=tree.organisation.pk,
        name="OSV",
        kind="osv_url",
        location="http://127.0.0.1:9/osv",
        ecosystems=["Go", "PyPI"],
    )
    page = f"/organisations/{tree.organisation.pk}/advisories/"
    client = _client(admin)
    row = _row(client.get(page).content.decode(), source)
    assert '<option value="" selected>off</option>' in row
    assert "ecosystems: Go, PyPI" in row
    response = client.post(f"/advisory-sources/{source.pk}/schedule/", {"every": "21600"}, follow=True)
    assert "Schedule of OSV saved: every 6 hours." in response.content.decode()
    row = _row(client.get(page).content.decode(), source)
    assert '<option value="21600" selected>every 6 hours</option>' in row
    assert 'data-testid="next-run"' in row
    services.set_schedule(actor=admin, source_id=source.pk, every=5400)  # the API's own interval
    row = _row(client.get(page).content.decode(), source)
    assert '<option value="5400" selected>every 90 minutes</option>' in row
    refused = client.post(
        f"/advisory-sources/{source.pk}/schedule/", {"every": "60"}, HTTP_REFERER=page, follow=True
    )
    assert "every: give 300 to 2592000 seconds (5 minutes to 30 days), or none" in refused.content.decode()
    words = client.post(
        f"/advisory-sources/{source.pk}/schedule/", {"every": "daily"}, HTTP_REFERER=page, follow=True
    )
    assert "every: Enter a whole number." in words.content.decode()
    source.refresh_from_db()
    assert source.every == 5400
    viewer = _client(auditor).get(page).content.decode()
    assert 'data-testid="schedule-form"' not in _row(viewer, source)
    assert "every 90 minutes" in _row(viewer, source)
    assert _client(auditor).post(f"/advisory-sources/{source.pk}/schedule/", {"every": ""}).status_code == 403


def test_the_api_sets_and_shows_the_schedule(settings: Any) -> None:
    settings.OUTBOUND = {**settings.OUTBOUND, "allow_hosts": ["127.0.0.1"]}
    tree = make_tree()
    admin = make_user()
    make_membership(admin, tree.organisation, Role.ADMINISTRATOR)
    source = services.create_advisory_source(
        actor=admin,
        organisation_id=tree.organisation.pk,
        name="KEV",
        kind="kev_json",
        location="http://127.0.0.1:9/kev.json",
    )
    client = _client(admin)
    url = f"/api/v1/advisory-sources/{source.pk}/schedule"
    answer = client.put(url, {"every": 86400}, content_type="application/json")
    assert answer.status_code == 200
    body = answer.json()
    assert (body["every"], body["failures"], body["last_success_at"]) == (86400, 0, None)
    assert body["next_run_at"] is not None
    refused = client.put(url, {"every": 10}, content_type="application/json")
    assert refused.status_code == 422
    assert "every: give 300" in refused.content.decode()
    off = client.put(url, {"every": None}, content_type="application/json").json()
    assert (off["every"], off["next_run_at"]) == (None, None)
    assert client.get(f"/api/v1/advisory-sources/{source.pk}").json()["kind"] == "kev_json"
