"""Single sign-on against a local OpenID provider the tests start (tests/core/oidc_provider.py): the whole
authorization code flow over real HTTP (discovery, authorize, token with PKCE and the client secret, JWKS,
userinfo), and each refusal: unknown person, wrong state or nonce, forged signature, expired token, wrong
audience, deactivated account, unverified email, locked out; a refusal signs nobody in."""

from __future__ import annotations

import html
import logging
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client
from joserfc.jwk import RSAKey

from opencsms.core import second_factor, services, totp
from opencsms.core.audit import AuditAction
from opencsms.core.models import ChangeRecord, LoginFailure, User
from opencsms.core.oidc import accounts
from opencsms.organisation.models import Membership
from tests.core.oidc_provider import (
    CLIENT_ID,
    Provider,
    sign_in_at_provider,
    signed_in,
)

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture
def alice() -> User:
    return User.objects.create(username="alice", email="Alice@example.com", password=make_password(PASSWORD))


def _text(answer: Any) -> str:
    return html.unescape(answer.content.decode())


def _security(caplog: pytest.LogCaptureFixture, event: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "opencsms.security" and getattr(r, "event", "") == event]


def test_the_provider_signs_in_the_account_with_its_verified_email_without_the_local_second_factor(
    client: Client, idp: Provider, alice: User, caplog: pytest.LogCaptureFixture
) -> None:
    device = second_factor.start_enrolment(actor=alice)
    second_factor.confirm_enrolment(actor=alice, code=totp.code_at(device.secret, time.time()))
    caplog.set_level(logging.INFO, logger="opencsms.security")
    start = client.get("/login/sso/")
    sent = parse_qs(urlsplit(start["Location"]).query)
    assert sent["client_id"] == [CLIENT_ID]
    assert sent["response_type"] == ["code"]
    assert sent["code_challenge_method"] == ["S256"]
    assert len(sent["code_challenge"][0]) == 43
    assert "openid" in sent["scope"][0].split()
    assert sent["state"][0]
    assert sent["nonce"][0]
    answer = sign_in_at_provider(client, idp)
    assert (answer.status_code, answer["Location"]) == (302, "/account/")
    assert signed_in(client) == alice.pk
    assert idp.refusals == []  # the code, the PKCE verifier and the client's secret were right
    [event] = _security(caplog, "sign_in")
    assert (event.username, event.method, event.subject) == ("alice", "oidc", "p-1")  # type: ignore[attr-defined]
    assert client.get("/account/").status_code == 200  # no code asked: the provider owns the second factor


def test_the_sign_in_page_offers_the_provider_only_when_configured(
    client: Client, settings: Any, idp: Provider
) -> None:
    page = client.get("/login/").content.decode()
    assert "Sign in with Test ID" in page
    assert 'name="password"' in page
    settings.OIDC = {**settings.OIDC, "issuer": ""}
    page = client.get("/login/").content.decode()
    assert "Sign in with" not in page
    assert 'name="password"' in page
    off = client.get("/login/sso/")
    assert off.status_code == 404
    assert "single sign-on is not set up" in _text(off)


def test_an_unknown_person_is_refused_while_accounts_are_not_created(client: Client, idp: Provider) -> None:
    answer = sign_in_at_provider(client, idp)
    assert answer.status_code == 403
    assert "no account has the email alice@example.com" in _text(answer)
    assert signed_in(client) is None
    assert not User.objects.filter(email="alice@example.com").exists()
    assert LoginFailure.objects.get().username == "alice@example.com"


def test_an_unknown_person_gets_an_account_without_membership_when_the_operator_allows_it(
    client: Client, settings: Any, idp: Provider, alice: User
) -> None:
    settings.OIDC = {**settings.OIDC, "create_users": True}
    idp.person = {"sub": "p-2", "email": "bob@example.com", "email_verified": True}
    idp.person["preferred_username"] = "alice"
    answer = sign_in_at_provider(client, idp)
    assert answer.status_code == 302
    bob = User.objects.get(email="bob@example.com")
    assert signed_in(client) == bob.pk
    assert bob.username == "alice-2"  # the provider's user name was taken
    assert not bob.has_usable_password()
    assert not bob.is_superuser
    assert not bob.is_staff
    assert not Membership.objects.filter(user=bob).exists()
    record = ChangeRecord.objects.get(action=AuditAction.USER_CREATED, object_id=str(bob.pk))
    assert record.actor_name == services.SYSTEM_USERNAME


def test_an_answer_with_another_state_is_refused_and_its_code_never_redeemed(
    client: Client, idp: Provider, alice: User
) -> None:
    answer = sign_in_at_provider(client, idp, state="not-the-state-this-browser-sent")
    assert answer.status_code == 422
    assert "state differs" in _text(answer)
    assert signed_in(client) is None
    assert len(idp.codes) == 1  # never sent to the token endpoint
    again = client.get("/login/sso/callback/", {"code": "x", "state": "y"})  # nothing waits any more
    assert again.status_code == 422
    assert "no single sign-on is waiting" in _text(again)


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        ({"nonce": "another-sign-in"}, "claim is not valid (Invalid claim: 'nonce')"),
        ({"aud": "another-client"}, "claim is not valid (Invalid claim: 'aud')"),
        ({"iss": "https://impostor.example"}, "claim is not valid (Invalid claim: 'iss')"),
        ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 4000}, "the ID token has expired"),
        ({"aud": [CLIENT_ID, "another-client"]}, "several audiences and its azp"),
    ],
    ids=["nonce", "audience", "issuer", "expired", "audiences-without-azp"],
)
def test_an_id_token_whose_claims_do_not_check_is_refused(
    client: Client, idp: Provider, alice: User, tamper: dict[str, Any], reason: str
) -> None:
    idp.tamper = tamper
    answer = sign_in_at_provider(client, idp)
    assert answer.status_code == 403
    assert reason in _text(answer)
    assert signed_in(client) is None
    assert LoginFailure.objects.get().username == accounts.PROTOCOL_KEY


def test_an_id_token_signed_with_another_key_is_refused(client: Client, idp: Provider, alice: User) -> None:
    idp.rogue_key = RSAKey.generate_key(2048, parameters={"kid": "test-key-1"})
    answer = sign_in_at_provider(client, idp)
    assert answer.status_code == 403
    assert "signature is not valid" in _text(answer)
    assert signed_in(client) is None


def test_a_deactivated_account_is_refused(client: Client, idp: Provider, alice: User) -> None:
    User.objects.filter(pk=alice.pk).update(is_active=False)
    answer = sign_in_at_provider(client, idp)
    assert answer.status_code == 403
    assert "the account 'alice' is deactivated" in _text(answer)
    assert signed_in(client) is None
    assert LoginFailure.objects.get().username == "alice"


def test_an_unverified_email_is_refused(client: Client, idp: Provider, alice: User) -> None:
    idp.person = {**idp.person, "email_verified": False}
    answer = sign_in_at_provider(client, idp)
    assert answer.status_code == 403
    assert "did not give a verified email" in _text(answer)
    assert signed_in(client) is None


def test_the_email_comes_from_userinfo_when_the_id_token_has_none(
    client: Client, idp: Provider, alice: User
) -> None:
    idp.tamper = {"email": None, "email_verified": None}
    answer = sign_in_at_provider(client, idp)
    assert answer.status_code == 302
    assert signed_in(client) == alice.pk
