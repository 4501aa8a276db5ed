"""`OPENCSMS_REQUIRE_TOTP`: superusers and administrators (at any level) who have no second factor set it up
at their next sign-in before they are signed in, and cannot turn it off; everyone else is not asked."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client

from opencsms.core import second_factor, totp
from opencsms.core.errors import Conflict
from opencsms.core.models import TotpDevice, User
from opencsms.organisation.models import Membership, Organisation, Role

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def _user(username: str, **fields: object) -> User:
    return User.objects.create(username=username, password=make_password(PASSWORD), **fields)


def _administrator() -> User:
    user = _user("olga")
    organisation = Organisation.objects.create(name="Org")
    Membership.objects.create(user=user, organisation=organisation, role=Role.ADMINISTRATOR)
    return user


def test_who_must_have_a_second_factor(settings: Any) -> None:
    root, olga, erin = _user("root", is_superuser=True), _administrator(), _user("erin")
    assert [second_factor.required(u) for u in (root, olga, erin)] == [False, False, False]  # off by default
    settings.REQUIRE_TOTP = True
    assert [second_factor.required(u) for u in (root, olga, erin)] == [True, True, False]


def test_a_required_user_sets_it_up_before_being_signed_in(settings: Any) -> None:
    settings.REQUIRE_TOTP = True
    olga = _administrator()
    client = Client()
    assert client.post("/login/", {"username": "olga", "password": PASSWORD})["Location"] == "/login/enrol/"
    assert client.get("/account/")["Location"] == "/login/?next=/account/"  # not signed in
    assert (
        client.post("/login/code/", {"code": "123456"})["Location"] == "/login/"
    )  # no bypass by the code step
    client.post("/login/", {"username": "olga", "password": PASSWORD})
    page = client.get("/login/enrol/").content.decode()
    secret = re.search(r'data-testid="factor-secret">(\w+)<', page).group(1)  # type: ignore[union-attr]
    refused = client.post("/login/enrol/", {"code": "12345"})
    assert refused.status_code == 422
    assert "does not match" in refused.content.decode()
    done = client.post("/login/enrol/", {"code": totp.code_at(secret, time.time())})
    assert done["Location"] == "/account/#second-factor"
    account = client.get("/account/").content.decode()
    assert len(re.findall(r'data-testid="recovery-code"', account)) == 10
    assert 'data-testid="factor-required"' in account
    assert second_factor.enabled(olga)
    with pytest.raises(Conflict, match="cannot be turned off"):
        second_factor.disable(actor=olga, proof=PASSWORD)
    client.logout()
    assert client.post("/login/", {"username": "olga", "password": PASSWORD})["Location"] == "/login/code/"


def test_others_sign_in_with_the_password_alone(settings: Any) -> None:
    settings.REQUIRE_TOTP = True
    _user("erin")
    client = Client()
    assert client.post("/login/", {"username": "erin", "password": PASSWORD})["Location"] == "/"
    assert client.get("/login/enrol/")["Location"] == "/login/"  # nothing waits: sent back
    assert not TotpDevice.objects.exists()


def test_a_required_factor_removed_during_the_code_step_does_not_let_the_password_alone_in(
    settings: Any,
) -> None:
    settings.REQUIRE_TOTP = True
    olga = _administrator()
    second_factor.start_enrolment(actor=olga)
    secret = TotpDevice.objects.get(user=olga).secret
    second_factor.confirm_enrolment(actor=olga, code=totp.code_at(secret, time.time() - 30))
    client = Client()
    assert client.post("/login/", {"username": "olga", "password": PASSWORD})["Location"] == "/login/code/"
    TotpDevice.objects.filter(user=olga).delete()  # a superuser removed it meanwhile
    refused = client.post("/login/code/", {"code": totp.code_at(secret, time.time())})
    assert refused.status_code == 422
    assert "must set up a second factor" in refused.content.decode()
    assert client.get("/account/").status_code == 302
