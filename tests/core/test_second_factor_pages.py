"""The second factor through the Django test client: the account page's enrolment (secret shown until the
first code, recovery codes shown once), the sign-in's code step (not signed in before the code, a wrong or
replayed code refused with 422, the throttle's 429, an ended sign-in sent back), turning off."""

from __future__ import annotations

import re
import time

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client

from opencsms.core import totp
from opencsms.core.models import TotpDevice, User
from opencsms.core.views.second_step import PENDING

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def _error(html: str) -> str:
    found = re.search(r'data-testid="form-error"><p>(.*?)</p>', html)
    return found.group(1) if found else ""


def _member() -> tuple[User, Client]:
    user = User.objects.create(username="erin", password=make_password(PASSWORD))
    client = Client()
    client.force_login(user)
    return user, client


def _enrol(client: Client) -> tuple[str, list[str]]:
    assert client.post("/account/second-factor/start/")["Location"] == "/account/#second-factor"
    page = client.get("/account/").content.decode()
    secret = re.search(r'data-testid="factor-secret">(\w+)<', page).group(1)  # type: ignore[union-attr]
    assert f"otpauth://totp/OpenCSMS:erin?secret={secret}" in page
    assert 'data-testid="factor-qr"' in page
    assert 'src="data:image/svg+xml' in page  # the QR code is drawn on the server, nothing fetched
    first = totp.code_at(secret, time.time() - 30)
    confirmed = client.post("/account/second-factor/confirm/", {"code": first})
    assert confirmed.status_code == 302
    page = client.get("/account/").content.decode()
    codes = re.findall(r'data-testid="recovery-code">([\w-]+)<', page)
    assert len(codes) == 10
    assert secret not in page
    again = client.get("/account/").content.decode()
    assert codes[0] not in again  # shown once
    assert "9 recovery codes left" not in again
    assert "10 recovery codes left" in again
    return secret, codes


def test_enrolment_shows_the_secret_until_confirmed_and_refuses_a_wrong_first_code() -> None:
    erin, client = _member()
    client.post("/account/second-factor/start/")
    secret = TotpDevice.objects.get(user=erin).secret
    wrong = "000000" if totp.code_at(secret, time.time()) != "000000" else "111111"
    refused = client.post("/account/second-factor/confirm/", {"code": wrong})
    assert refused.status_code == 422
    assert "does not match" in _error(refused.content.decode())
    assert secret in refused.content.decode()  # still waiting: the secret is still shown
    empty = client.post("/account/second-factor/confirm/", {"code": ""})
    assert (empty.status_code, _error(empty.content.decode())) == (422, "code: This field is required.")
    assert TotpDevice.objects.get(user=erin).confirmed is None


def test_sign_in_asks_for_the_code_and_is_not_signed_in_before_it() -> None:
    _erin, client = _member()
    secret, codes = _enrol(client)
    client.logout()
    step_one = client.post("/login/?next=/account/", {"username": "erin", "password": PASSWORD})
    assert step_one["Location"] == "/login/code/"
    assert client.get("/account/")["Location"] == "/login/?next=/account/"  # not signed in yet
    assert "Sign in: code" in client.get("/login/code/").content.decode()
    wrong = client.post("/login/code/", {"code": "12345"})
    assert (wrong.status_code, "not correct" in _error(wrong.content.decode())) == (422, True)
    good = totp.code_at(secret, time.time() + 30)
    assert client.post("/login/code/", {"code": good})["Location"] == "/account/"
    assert client.get("/account/").status_code == 200
    client.logout()
    client.post("/login/", {"username": "erin", "password": PASSWORD})
    replay = client.post("/login/code/", {"code": good})
    assert (replay.status_code, "used already" in _error(replay.content.decode())) == (422, True)
    assert client.post("/login/code/", {"code": codes[0]})["Location"] == "/"
    client.logout()
    client.post("/login/", {"username": "erin", "password": PASSWORD})
    reused = client.post("/login/code/", {"code": codes[0]})
    assert reused.status_code == 422


def test_the_code_step_without_a_password_step_or_after_five_minutes_sends_back_to_sign_in() -> None:
    _erin, client = _member()
    _enrol(client)
    client.logout()
    assert client.get("/login/code/")["Location"] == "/login/"
    client.post("/login/", {"username": "erin", "password": PASSWORD})
    session = client.session
    session[PENDING] = {**session[PENDING], "since": time.time() - 301}
    session.save()
    assert client.post("/login/code/", {"code": "123456"})["Location"] == "/login/"


def test_wrong_codes_at_sign_in_are_throttled_with_429() -> None:
    _erin, client = _member()
    _enrol(client)
    client.logout()
    client.post("/login/", {"username": "erin", "password": PASSWORD})
    answers = [client.post("/login/code/", {"code": "NOPEN-OPENO"}).status_code for _ in range(5)]
    assert answers == [422, 422, 422, 422, 429]
    locked = client.post("/login/", {"username": "erin", "password": PASSWORD})
    assert locked.status_code == 429  # the password step is locked for this pair too


def test_turning_off_refuses_a_wrong_proof_and_accepts_the_password() -> None:
    erin, client = _member()
    _enrol(client)
    refused = client.post("/account/second-factor/disable/", {"proof": "guess"})
    assert refused.status_code == 422
    assert "Neither" in _error(refused.content.decode())
    assert TotpDevice.objects.filter(user=erin).exists()
    assert client.post("/account/second-factor/disable/", {"proof": PASSWORD}).status_code == 302
    assert not TotpDevice.objects.filter(user=erin).exists()
    client.logout()
    assert client.post("/login/", {"username": "erin", "password": PASSWORD})["Location"] == "/"
