"""The database out of reach answers 503 with Retry-After and the request id (logged), pages and API, and the
next request after it is back is served as usual (core/unavailable.py). The load and outage run against a
real server is bench/web_faults.py."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client

from opencsms.organisation.models import Organisation
from tests.factories.core import logged_in, make_admin, make_token
from tests.factories.outage import database_down

pytestmark = pytest.mark.django_db


def test_the_api_answers_503_with_retry_after_while_the_database_is_down(
    caplog: pytest.LogCaptureFixture,
) -> None:
    _, token = make_token(make_admin())
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    with database_down():
        answer = api.get("/api/v1/organisations", HTTP_X_REQUEST_ID="req-outage-1")
    assert answer.status_code == 503
    assert answer["Retry-After"] == "5"
    assert answer.json() == {
        "code": "database_unavailable",
        "detail": "the database is unavailable; retry in a few seconds (request id req-outage-1)",
    }
    logged = [r.getMessage() for r in caplog.records if r.name == "opencsms.database"]
    assert len(logged) == 1
    assert "503 (request id req-outage-1)" in logged[0]
    assert "/api/v1/organisations" in logged[0]
    assert api.get("/api/v1/organisations").status_code == 200  # back by itself


def test_a_write_during_the_outage_is_503_and_nothing_is_kept() -> None:
    _, token = make_token(make_admin())
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    with database_down(InterfaceError):  # a connection closed under the request
        answer = api.post("/api/v1/organisations", {"name": "Lost"}, content_type="application/json")
    assert answer.status_code == 503
    assert answer.json()["code"] == "database_unavailable"
    assert not Organisation.objects.filter(name="Lost").exists()
    again = api.post("/api/v1/organisations", {"name": "Lost"}, content_type="application/json")
    assert again.status_code == 201, again.content


def test_a_page_whose_session_cannot_be_read_answers_503_not_500() -> None:
    """The outage met before the view (the session, the user): the handler500 turns it into 503."""
    browser = logged_in(make_admin())
    browser.raise_request_exception = False
    with database_down():
        page = browser.get("/", HTTP_X_REQUEST_ID="req-outage-2")
    assert page.status_code == 503
    assert page["Retry-After"] == "5"
    text = page.content.decode()
    assert "Service unavailable" in text
    assert "request id req-outage-2" in text
    assert browser.get("/").status_code == 200


def test_a_page_whose_view_meets_the_outage_answers_503() -> None:
    browser = logged_in(make_admin())
    with mock.patch("opencsms.tara.selectors.dashboard", side_effect=OperationalError("server closed")):
        page = browser.get("/")
    assert page.status_code == 503
    assert "The database is unavailable; retry in a few seconds" in page.content.decode()


def test_other_server_errors_stay_500() -> None:
    browser = logged_in(make_admin())
    browser.raise_request_exception = False
    with mock.patch("opencsms.tara.selectors.dashboard", side_effect=RuntimeError("a bug")):
        page = browser.get("/")
    assert page.status_code == 500
    assert "Retry-After" not in page
