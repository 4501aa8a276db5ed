"""The API: authentication required (session or bearer token), and every error as {"code", "detail"}."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from opencsms.core.audit import AuditAction
from opencsms.core.models import ApiToken, ChangeRecord, User
from tests.factories.core import make_admin, make_token, make_user

pytestmark = pytest.mark.django_db

ME = "/api/v1/me"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def logged_in(user: User, *, enforce_csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=enforce_csrf)
    client.force_login(user)
    return client


def error_of(response: Any) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    assert {"code", "detail"} <= body.keys(), body
    return body


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", ME), ("get", "/api/v1/tokens"), ("post", "/api/v1/tokens"), ("delete", "/api/v1/tokens/1")],
)
def test_unauthenticated_requests_are_refused(client: Client, method: str, path: str) -> None:
    response = getattr(client, method)(path, content_type="application/json", data={"name": "x"})
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthenticated"


def test_session_authentication(client: Client) -> None:
    client.force_login(make_user("dora"))
    response = client.get(ME)
    assert response.status_code == 200
    assert response.json() == {"username": "dora", "email": "", "is_superuser": False}


def test_token_authentication(client: Client) -> None:
    _, plain = make_token(make_user("tess"))
    response = client.get(ME, headers=bearer(plain))
    assert response.status_code == 200
    assert response.json()["username"] == "tess"


def test_a_wrong_token_is_refused_even_with_a_session() -> None:
    client = logged_in(make_user())
    response = client.get(ME, headers=bearer("ocs_not-a-token"))
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthenticated"


def test_a_session_post_needs_the_csrf_token_but_a_token_post_does_not() -> None:
    user = make_user()
    response = logged_in(user, enforce_csrf=True).post(
        "/api/v1/tokens", data={"name": "x"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert error_of(response)["code"] == "csrf_failed"
    _, plain = make_token(user)
    response = Client(enforce_csrf_checks=True).post(
        "/api/v1/tokens", data={"name": "y"}, content_type="application/json", headers=bearer(plain)
    )
    assert response.status_code == 201


def test_token_lifecycle_through_the_api(client: Client) -> None:
    client.force_login(make_user())
    created = client.post("/api/v1/tokens", data={"name": "ci"}, content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    assert body["token"].startswith("ocs_")
    assert Client().get(ME, headers=bearer(body["token"])).status_code == 200
    listed = client.get("/api/v1/tokens").json()
    assert [t["name"] for t in listed] == ["ci"]
    assert "token" not in listed[0]
    assert client.delete(f"/api/v1/tokens/{body['id']}").status_code == 204
    assert Client().get(ME, headers=bearer(body["token"])).status_code == 401


def test_domain_errors_map_to_code_and_detail(client: Client) -> None:
    other_token, _ = make_token(make_user())
    client.force_login(make_user())
    missing = client.delete(f"/api/v1/tokens/{other_token.pk}")
    assert (missing.status_code, error_of(missing)["code"]) == (404, "not_found")
    assert ApiToken.objects.filter(pk=other_token.pk).exists()
    client.post("/api/v1/tokens", data={"name": "ci"}, content_type="application/json")
    taken = client.post("/api/v1/tokens", data={"name": "ci"}, content_type="application/json")
    assert (taken.status_code, error_of(taken)["code"]) == (409, "conflict")
    assert "ci" in taken.json()["detail"]


def test_permission_denied_maps_to_403(client: Client) -> None:
    client.force_login(make_user())
    response = client.post("/api/v1/users", data={"username": "eve"}, content_type="application/json")
    assert response.status_code == 403
    assert error_of(response) == {
        "code": "permission_denied",
        "detail": "only administrators may create users",
    }


def test_invalid_input_maps_to_422(client: Client) -> None:
    client.force_login(make_admin())
    bad_name = client.post("/api/v1/users", data={"username": "a b"}, content_type="application/json")
    assert (bad_name.status_code, error_of(bad_name)["code"]) == (422, "invalid")
    missing_field = client.post("/api/v1/users", data={}, content_type="application/json")
    assert (missing_field.status_code, error_of(missing_field)["code"]) == (422, "invalid")
    assert missing_field.json()["errors"][0]["loc"][-1] == "username"


def test_an_administrator_creates_a_user_with_the_request_id_in_the_audit_trail(client: Client) -> None:
    admin = make_admin()
    client.force_login(admin)
    response = client.post(
        "/api/v1/users",
        data={"username": "eve", "email": "eve@example.org"},
        content_type="application/json",
        headers={"X-Request-ID": "trace-123"},
    )
    assert response.status_code == 201
    assert response.json()["username"] == "eve"
    assert response["X-Request-ID"] == "trace-123"
    entry = ChangeRecord.objects.get()
    assert (entry.action, entry.actor, entry.correlation_id) == (AuditAction.USER_CREATED, admin, "trace-123")


def test_every_response_carries_a_request_id(client: Client) -> None:
    first, second = client.get(ME), client.get(ME, headers={"X-Request-ID": "not safe\u00e9"})
    assert len(first["X-Request-ID"]) == 32
    assert len(second["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]
