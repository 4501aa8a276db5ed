"""Single sign-on's policy around the flow: it shares the sign-in throttle with passwords; with
`OPENCSMS_OIDC_ONLY` the password form is gone except for superusers (`OPENCSMS_OIDC_SUPERUSER_PASSWORD`);
its settings refuse an incomplete or unsafe configuration with one line naming the variable."""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client
from joserfc.jwk import RSAKey

from opencsms.config.env import ConfigurationError, load_settings
from opencsms.core.models import LoginFailure, User
from opencsms.core.oidc import accounts, flow, provider
from tests.core.oidc_provider import (
    CLIENT_SECRET,
    Provider,
    sign_in_at_provider,
    signed_in,
)

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture
def alice() -> User:
    return User.objects.create(username="alice", email="alice@example.com", password=make_password(PASSWORD))


def _text(answer: Any) -> str:
    return html.unescape(answer.content.decode())


def test_refused_answers_lock_the_address_out_of_single_sign_on(
    client: Client, idp: Provider, alice: User
) -> None:
    for _ in range(5):
        assert sign_in_at_provider(client, idp, state="forged").status_code in {422, 429}
    assert LoginFailure.objects.filter(username=accounts.PROTOCOL_KEY).count() == 5
    locked = sign_in_at_provider(client, idp)  # a right answer now: still refused until the delay ends
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in _text(locked)
    assert signed_in(client) is None


def test_an_account_locked_by_wrong_passwords_is_locked_for_single_sign_on_too(
    client: Client, idp: Provider, alice: User
) -> None:
    for _ in range(5):
        client.post("/login/", {"username": "alice", "password": "wrong"})
    answer = sign_in_at_provider(client, idp)
    assert answer.status_code == 429
    assert signed_in(client) is None


def test_single_sign_on_only_keeps_the_local_sign_in_superusers(
    client: Client, settings: Any, idp: Provider, alice: User
) -> None:
    settings.OIDC = {**settings.OIDC, "only": True}
    User.objects.create(username="root", password=make_password(PASSWORD), is_superuser=True, is_staff=True)
    page = _text(client.get("/login/"))
    assert "Sign in with Test ID" in page
    assert 'name="password"' not in page
    assert "Password sign-in for superusers" in page
    refused = client.post("/login/", {"username": "alice", "password": PASSWORD})
    assert refused.status_code == 403
    assert "Password sign-in is off on this server" in _text(refused)
    assert signed_in(client) is None
    assert 'name="password"' in _text(client.get("/login/?password"))
    assert client.post("/login/", {"username": "root", "password": PASSWORD}).status_code == 302
    assert signed_in(client) is not None


def test_single_sign_on_only_without_superuser_passwords_takes_no_password(
    client: Client, settings: Any, idp: Provider
) -> None:
    settings.OIDC = {**settings.OIDC, "only": True, "superuser_password": False}
    User.objects.create(username="root", password=make_password(PASSWORD), is_superuser=True)
    page = _text(client.get("/login/?password"))
    assert 'name="password"' not in page
    assert "Password sign-in for superusers" not in page
    refused = client.post("/login/", {"username": "root", "password": PASSWORD})
    assert refused.status_code == 403
    assert signed_in(client) is None


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in list(os.environ):
        if name.startswith("OPENCSMS_"):
            monkeypatch.delenv(name)
    return monkeypatch


@pytest.mark.parametrize(
    ("variables", "problem"),
    [
        ({"OIDC_ONLY": "true"}, "OPENCSMS_OIDC_ONLY needs OPENCSMS_OIDC_ISSUER"),
        ({"OIDC_ISSUER": "https://id.example"}, "OPENCSMS_OIDC_ISSUER needs OPENCSMS_OIDC_CLIENT_ID"),
        (
            {"OIDC_ISSUER": "https://id.example", "OIDC_CLIENT_ID": "c"},
            "needs OPENCSMS_OIDC_CLIENT_SECRET or OPENCSMS_OIDC_CLIENT_SECRET_FILE",
        ),
        (
            {
                "OIDC_ISSUER": "https://id.example",
                "OIDC_CLIENT_ID": "c",
                "OIDC_CLIENT_SECRET": "s",
                "OIDC_CLIENT_SECRET_FILE": "/etc/secret",
            },
            "not both",
        ),
        (
            {
                "OIDC_ISSUER": "https://id.example",
                "OIDC_CLIENT_ID": "c",
                "OIDC_CLIENT_SECRET_FILE": "/nowhere/x",
            },
            "OPENCSMS_OIDC_CLIENT_SECRET_FILE: cannot read '/nowhere/x'",
        ),
        ({"OIDC_ISSUER": "id.example", "OIDC_CLIENT_ID": "c"}, "must be an https:// URL"),
        ({"OIDC_ISSUER": "https://id.example?x=1", "OIDC_CLIENT_ID": "c"}, "without query or fragment"),
        ({"OIDC_BUTTON_LABEL": ""}, "OPENCSMS_OIDC_BUTTON_LABEL"),
    ],
    ids=[
        "only-without-issuer",
        "no-client",
        "no-secret",
        "two-secrets",
        "unreadable-file",
        "no-scheme",
        "query",
        "empty-label",
    ],
)
def test_an_incomplete_configuration_is_refused_with_one_line(
    environment: pytest.MonkeyPatch, variables: dict[str, str], problem: str
) -> None:
    for name, value in variables.items():
        environment.setenv(f"OPENCSMS_{name}", value)
    with pytest.raises(ConfigurationError, match="OPENCSMS_") as refused:
        load_settings()
    assert problem in str(refused.value)
    assert "\n" not in str(refused.value)


def test_production_needs_https_and_the_secret_may_come_from_a_file(
    environment: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    secret = tmp_path / "oidc-secret"
    secret.write_text(CLIENT_SECRET + "\n", encoding="utf-8")
    environment.setenv("OPENCSMS_OIDC_ISSUER", "http://id.example")
    environment.setenv("OPENCSMS_OIDC_CLIENT_ID", "opencsms")
    environment.setenv("OPENCSMS_OIDC_CLIENT_SECRET_FILE", str(secret))
    assert load_settings().oidc_client_secret.get_secret_value() == CLIENT_SECRET
    environment.setenv("OPENCSMS_ENV", "production")
    environment.setenv("OPENCSMS_SECRET_KEY", "p" * 40)
    with pytest.raises(ConfigurationError, match="must be an https:// URL") as refused:
        load_settings()
    assert CLIENT_SECRET not in str(refused.value)


def test_a_provider_that_cannot_be_reached_or_names_another_issuer_is_reported(
    client: Client, settings: Any, idp: Provider
) -> None:
    settings.OIDC = {**settings.OIDC, "issuer": "http://127.0.0.1:9"}  # the discard port: nothing listens
    down = client.get("/login/sso/")
    assert down.status_code == 502
    assert "the sign-in provider's discovery document cannot be read" in _text(down)
    settings.OIDC = {**settings.OIDC, "issuer": idp.base_url + "/"}  # not the issuer its document names
    provider.forget()
    other = client.get("/login/sso/")
    assert other.status_code == 502
    assert f"not '{idp.base_url}/' (OPENCSMS_OIDC_ISSUER)" in _text(other)


def test_rotated_keys_are_fetched_again_and_an_unpublished_key_is_refused(
    client: Client, idp: Provider, alice: User
) -> None:
    assert sign_in_at_provider(client, idp).status_code == 302  # the keys are kept from here on
    client.logout()
    idp.key = RSAKey.generate_key(2048, parameters={"kid": "test-key-2", "use": "sig", "alg": "RS256"})
    assert sign_in_at_provider(client, idp).status_code == 302
    assert signed_in(client) == alice.pk
    client.logout()
    idp.rogue_key = RSAKey.generate_key(2048, parameters={"kid": "unpublished"})
    refused = sign_in_at_provider(client, idp)
    assert refused.status_code == 403
    assert "signed with a key the provider does not publish" in _text(refused)


def test_the_next_address_stays_on_this_server(client: Client, idp: Provider, alice: User) -> None:
    start = client.get("/login/sso/", {"next": "https://evil.example/phish"})
    assert start.status_code == 302
    assert flow.pending_next(client.session) == "/"
