"""The server's logs: a server error is logged with its traceback and the request id, JSON lines parse, and
the security events (sign-in failures and lock-outs, refusals, downloads) reach `opencsms.security`."""

from __future__ import annotations

import json
import logging
from unittest import mock

import pytest
from django.conf import settings
from django.test import Client
from pydantic import ValidationError

from opencsms.config.env import Settings
from opencsms.core import services
from opencsms.core.errors import Invalid, Throttled
from opencsms.core.logs import JsonFormatter, logging_config
from opencsms.tara.models import Tara
from tests.factories.core import make_admin, make_user
from tests.tara.conftest import Team, reference, team

__all__ = ["reference", "team"]

pytestmark = pytest.mark.django_db


def _security(caplog: pytest.LogCaptureFixture, event: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "opencsms.security" and getattr(r, "event", "") == event]


def test_a_server_error_is_logged_with_its_traceback_and_the_request_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(make_admin())
    with mock.patch("opencsms.core.api.actor", side_effect=RuntimeError("forced failure")):
        response = client.get("/api/v1/me", headers={"X-Request-ID": "req-forced-500"})
    assert response.status_code == 500
    assert response["X-Request-ID"] == "req-forced-500"
    [record] = [r for r in caplog.records if r.name == "django.request" and r.levelno == logging.ERROR]
    assert record.request_id == "req-forced-500"  # type: ignore[attr-defined]
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], RuntimeError)
    line = json.loads(JsonFormatter().format(record))
    assert (line["level"], line["logger"], line["request_id"]) == (
        "ERROR",
        "django.request",
        "req-forced-500",
    )
    assert "RuntimeError: forced failure" in line["exc"]
    assert "Traceback (most recent call last)" in line["exc"]


def test_json_lines_parse_and_carry_the_extra_fields() -> None:
    record = logging.makeLogRecord(
        {"name": "opencsms.security", "levelname": "WARNING", "msg": "a %s", "args": ("b",)}
    )
    record.event, record.ip = "refused", "10.0.0.9"
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "a b"
    assert (line["event"], line["ip"], line["request_id"]) == ("refused", "10.0.0.9", "-")
    assert line["time"].endswith("+00:00")


def test_the_log_format_is_a_setting() -> None:
    assert settings.LOGGING["handlers"]["console"]["filters"] == ["request_id"]
    config = logging_config(log_format="json", level="INFO")
    assert config["handlers"]["console"]["formatter"] == "json"
    assert Settings(log_format="json").log_format == "json"
    with pytest.raises(ValidationError, match="log_format"):
        Settings(log_format="xml")


def test_sign_in_failures_and_lock_outs_are_security_events(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="opencsms.security")
    make_user("erin")
    for _ in range(settings.LOGIN_THROTTLE["per_user_address"]):
        with pytest.raises((Invalid, Throttled)):
            services.log_in(username="erin", password="wrong", ip="10.0.0.7")
    with pytest.raises(Throttled):
        services.log_in(username="erin", password="wrong", ip="10.0.0.7")
    failed = _security(caplog, "sign_in_failed")
    assert failed
    assert (failed[0].username, failed[0].ip) == ("erin", "10.0.0.7")  # type: ignore[attr-defined]
    assert _security(caplog, "lockout_started")
    assert _security(caplog, "sign_in_locked")


def test_refusals_and_downloads_are_security_events(
    caplog: pytest.LogCaptureFixture, team: Team, reference: Tara
) -> None:
    caplog.set_level(logging.INFO, logger="opencsms.security")
    outsider = Client()
    outsider.force_login(team.outsider)
    assert outsider.get(f"/api/v1/taras/{reference.pk}").status_code == 404
    assert Client().get("/api/v1/me").status_code == 401
    refused = [(r.status, r.user, r.path) for r in _security(caplog, "refused")]  # type: ignore[attr-defined]
    assert refused == [
        (404, team.outsider.username, f"/api/v1/taras/{reference.pk}"),
        (401, "anonymous", "/api/v1/me"),
    ]
    engineer = Client()
    engineer.force_login(team.engineer)
    assert engineer.get(f"/api/v1/taras/{reference.pk}/export").status_code == 200
    [export] = _security(caplog, "export")
    assert (export.user, export.file) == (team.engineer.username, f"{reference.ref}.tara.yaml")  # type: ignore[attr-defined]


def test_every_api_error_is_json_even_those_no_handler_made() -> None:
    client = Client(raise_request_exception=False)
    client.force_login(make_admin())
    with mock.patch("opencsms.core.api.actor", side_effect=RuntimeError("forced failure")):
        failed = client.get("/api/v1/me", headers={"X-Request-ID": "req-json-500"})
    assert failed.status_code == 500
    assert failed.json() == {
        "code": "internal_server_error",
        "detail": "internal server error: the error is logged; quote request id req-json-500",
    }
    refused = client.put("/api/v1/organisations", "{}", content_type="application/json")
    assert refused.status_code == 405
    assert refused.json()["code"] == "method_not_allowed"
    assert set(refused["Allow"].split(", ")) == {"GET", "POST"}
    assert "text/html" in client.get("/nope/").get("Content-Type", "")  # pages keep their pages
