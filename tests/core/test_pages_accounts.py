"""The account page (profile, password, API tokens) and the user administration through the Django test
client: each form saves, refuses bad input with the reason and keeps what was typed (422), and only
superusers manage users."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from opencsms.core.audit import AuditAction
from opencsms.core.models import ApiToken, ChangeRecord, User
from tests.factories.core import logged_in, make_admin, make_token, make_user

pytestmark = pytest.mark.django_db
GOOD = "Tulip-Orbit-4417"


def _error(html: str) -> str:
    found = re.search(r'data-testid="form-error"><p>(.*?)</p>', html)
    return found.group(1) if found else ""


def test_the_profile_is_shown_saved_and_a_bad_email_is_refused_keeping_the_input() -> None:
    dora = make_user("dora", first_name="Dora")
    client = logged_in(dora)
    page = client.get("/account/").content.decode()
    assert 'name="first_name" value="Dora"' in page
    saved = client.post(
        "/account/profile/", {"first_name": "Dora", "last_name": "Diaz", "email": "d@example.org"}
    )
    assert saved["Location"] == "/account/"
    dora.refresh_from_db()
    assert (dora.last_name, dora.email) == ("Diaz", "d@example.org")
    refused = client.post(
        "/account/profile/", {"first_name": "Dorothea", "last_name": "Diaz", "email": "not-mail"}
    )
    assert refused.status_code == 422
    html = refused.content.decode()
    assert "email: Enter a valid email address." in _error(html)
    assert 'value="Dorothea"' in html
    assert 'value="not-mail"' in html
    dora.refresh_from_db()
    assert (dora.first_name, dora.email) == ("Dora", "d@example.org")


def test_a_password_change_refuses_a_wrong_or_differing_password_and_then_ends_the_session() -> None:
    dora = make_user("dora")
    dora.set_password("Old-Harbour-2026")
    dora.save()
    client = logged_in(dora)
    wrong = client.post("/account/password/", {"current": "nope", "new": GOOD, "repeat": GOOD})
    assert (wrong.status_code, _error(wrong.content.decode())) == (422, "the current password is not correct")
    differ = client.post("/account/password/", {"current": "Old-Harbour-2026", "new": GOOD, "repeat": "x"})
    assert _error(differ.content.decode()) == "the two new passwords differ"
    changed = client.post("/account/password/", {"current": "Old-Harbour-2026", "new": GOOD, "repeat": GOOD})
    assert changed["Location"] == "/login/"
    assert client.get("/account/")["Location"] == "/login/?next=/account/"  # signed out everywhere
    assert Client().login(username="dora", password=GOOD)


def test_a_new_token_is_shown_once_listed_and_revoked() -> None:
    dora = make_user("dora")
    client = logged_in(dora)
    assert client.post("/account/tokens/", {"name": "ci"})["Location"] == "/account/"
    first = client.get("/account/").content.decode()
    plain = re.search(r'data-testid="new-token-value">(ocs_[^<]+)<', first)
    assert plain is not None
    assert (
        client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {plain.group(1)}").json()["username"] == "dora"
    )
    again = client.get("/account/").content.decode()
    assert plain.group(1) not in again
    assert "<td>ci</td>" in again
    taken = client.post("/account/tokens/", {"name": "ci"})
    assert (taken.status_code, _error(taken.content.decode())) == (
        422,
        "you already have a token named &#x27;ci&#x27;",
    )
    token = ApiToken.objects.get(user=dora)
    assert client.post(f"/account/tokens/{token.pk}/revoke/")["Location"] == "/account/"
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    other, _ = make_token(make_user("erin"))
    assert client.post(f"/account/tokens/{other.pk}/revoke/").status_code == 404


def test_the_user_administration_is_for_superusers_only() -> None:
    client = logged_in(make_user("dora"))
    assert client.get("/users/").status_code == 403
    assert client.post("/users/new/", {"username": "x", "password": GOOD}).status_code == 403
    assert not User.objects.filter(username="x").exists()


def test_a_superuser_creates_deactivates_activates_and_resets_a_password() -> None:
    root = make_admin("root")
    client = logged_in(root)
    assert "opencsms-system" not in client.get("/users/").content.decode()
    refused = client.post("/users/new/", {"username": "erin", "email": "erin@example.org", "password": "123"})
    assert refused.status_code == 422
    assert "too short" in _error(refused.content.decode())
    assert 'value="erin@example.org"' in refused.content.decode()
    created = client.post("/users/new/", {"username": "erin", "first_name": "Erin", "password": GOOD})
    assert created["Location"] == "/users/"
    erin = User.objects.get(username="erin")
    assert client.post(f"/users/{erin.pk}/deactivate/")["Location"] == "/users/"
    erin.refresh_from_db()
    assert not erin.is_active
    assert 'data-user="erin"' in client.get("/users/").content.decode()
    client.post(f"/users/{erin.pk}/activate/")
    erin.refresh_from_db()
    assert erin.is_active
    assert (
        client.post(f"/users/{erin.pk}/password/", {"password": "Quartz-Meadow-93"})["Location"] == "/users/"
    )
    assert Client().login(username="erin", password="Quartz-Meadow-93")
    actions = set(ChangeRecord.objects.filter(object_id=str(erin.pk)).values_list("action", flat=True))
    assert {
        AuditAction.USER_DEACTIVATED,
        AuditAction.USER_ACTIVATED,
        AuditAction.USER_PASSWORD_RESET,
    } <= actions


def test_a_superuser_cannot_deactivate_themselves() -> None:
    root = make_admin("root")
    client = logged_in(root)
    response = client.post(f"/users/{root.pk}/deactivate/", HTTP_REFERER="http://testserver/users/")
    assert response["Location"] == "http://testserver/users/"
    assert "you cannot deactivate your own account" in client.get("/users/").content.decode()
    root.refresh_from_db()
    assert root.is_active
