"""A session ends after the idle timeout (`OPENCSMS_SESSION_IDLE_MINUTES`, 8 hours by default) and is
renewed by activity, at most once a minute."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone
from pydantic import ValidationError

from opencsms.config.env import Settings
from opencsms.core.middleware import SessionIdleMiddleware
from tests.factories.core import make_user

pytestmark = pytest.mark.django_db


def _session(client: Client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def test_the_idle_timeout_is_eight_hours_and_a_setting() -> None:
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert Settings(session_idle_minutes=30).session_idle_minutes == 30
    with pytest.raises(ValidationError, match="session_idle_minutes"):
        Settings(session_idle_minutes=0)


def test_activity_renews_the_session_and_idleness_ends_it() -> None:
    client = Client()
    client.force_login(make_user())
    assert client.get("/api/v1/me").status_code == 200
    row = _session(client)
    assert abs(row.expire_date - (timezone.now() + timedelta(hours=8))) < timedelta(minutes=1)
    # an hour later (the session nearly expired, the last renewal long ago) a request renews it
    Session.objects.filter(pk=row.pk).update(expire_date=timezone.now() + timedelta(minutes=5))
    session = client.session
    session[SessionIdleMiddleware.KEY] = 0
    session.save()
    Session.objects.filter(pk=row.pk).update(expire_date=timezone.now() + timedelta(minutes=5))
    assert client.get("/api/v1/me").status_code == 200
    assert _session(client).expire_date > timezone.now() + timedelta(hours=7)
    # idle past the timeout: the session is over
    Session.objects.filter(pk=row.pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/organisations/").status_code == 302


def test_requests_within_a_minute_do_not_write_the_session() -> None:
    client = Client()
    client.force_login(make_user())
    client.get("/api/v1/me")
    before = _session(client).expire_date
    client.get("/api/v1/me")
    assert _session(client).expire_date == before


def test_signing_in_starts_the_renewal_clock_without_an_extra_write() -> None:
    user = make_user()
    user.set_password("a long enough password 1")
    user.save()
    client = Client()
    response = client.post("/login/", {"username": user.username, "password": "a long enough password 1"})
    assert response.status_code == 302
    assert SessionIdleMiddleware.KEY in client.session
