"""Password sign-in: failures go to the security log, N failures lock the user name or the address, the
lockout is audited with the system user as actor, and a locked sign-in is refused without a password check.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from opencsms.core import audit, services
from opencsms.core.audit import AuditAction
from opencsms.core.errors import Invalid, Throttled
from opencsms.core.models import ChangeRecord, LoginFailure, User

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def make_member(username: str = "erin") -> User:
    return User.objects.create(username=username, password=make_password(PASSWORD))


def fail(username: str, ip: str | None = "10.0.0.1") -> None:
    with pytest.raises(Invalid, match="correct user name and password"):
        services.log_in(username=username, password="wrong", ip=ip)


def test_a_good_password_signs_in_and_a_bad_one_is_logged() -> None:
    user = make_member()
    assert services.log_in(username="erin", password=PASSWORD, ip="10.0.0.1") == user
    fail("erin")
    failure = LoginFailure.objects.get()
    assert (failure.username, failure.ip) == ("erin", "10.0.0.1")
    assert not ChangeRecord.objects.exists()  # single failures are in the security log, not the chain


def test_five_failures_lock_the_user_name_from_that_address_only_and_the_lockout_is_audited() -> None:
    user = make_member()
    for _ in range(4):
        fail("erin", ip="203.0.113.9")
    with pytest.raises(Throttled, match="try again in 30 seconds"):
        services.log_in(username="erin", password="wrong", ip="203.0.113.9")
    with pytest.raises(Throttled):  # even the right password: no password check while locked
        services.log_in(username="ERIN", password=PASSWORD, ip="203.0.113.9")
    assert LoginFailure.objects.count() == 5
    # the attacker's address is locked; the user, from their own address, is not
    assert services.log_in(username="erin", password=PASSWORD, ip="10.0.0.2") == user
    lockout = ChangeRecord.objects.get(action=AuditAction.LOGIN_LOCKED_OUT)
    assert (lockout.actor.username, lockout.object_id) == (services.SYSTEM_USERNAME, str(user.pk))
    assert lockout.after == {"locked": "username", "username": "erin", "ip": "203.0.113.9", "failures": 5}
    assert audit.verify_chain() == []


def test_a_third_party_cannot_lock_the_administrator_out() -> None:
    admin = User.objects.create(username="admin", password=make_password(PASSWORD), is_superuser=True)
    for _ in range(12):
        LoginFailure.objects.create(username="admin", ip="198.51.100.66")
    with pytest.raises(Throttled):
        services.log_in(username="admin", password=PASSWORD, ip="198.51.100.66")
    assert services.log_in(username="admin", password=PASSWORD, ip="10.0.0.1") == admin


def test_the_delay_doubles_with_each_further_failure_up_to_the_window() -> None:
    assert [services.lockout_delay(n).total_seconds() for n in range(3, 12)] == [
        0, 0, 30, 60, 120, 240, 480, 900, 900,
    ]  # fmt: skip
    make_member()
    for _ in range(4):
        fail("erin")
    with pytest.raises(Throttled, match="30 seconds"):
        services.log_in(username="erin", password="wrong", ip="10.0.0.1")
    LoginFailure.objects.update(time=timezone.now() - timedelta(seconds=31))  # the delay has passed
    with pytest.raises(Throttled, match=r"(60|59) seconds"):  # the 6th failure: twice as long
        services.log_in(username="erin", password="wrong", ip="10.0.0.1")
    assert LoginFailure.objects.count() == 6


def test_the_lock_ends_when_the_failures_leave_the_window() -> None:
    make_member()
    for _ in range(4):
        fail("erin")
    with pytest.raises(Throttled):
        services.log_in(username="erin", password="wrong", ip="10.0.0.1")
    LoginFailure.objects.update(time=timezone.now() - timedelta(minutes=16))
    assert services.log_in(username="erin", password=PASSWORD, ip="10.0.0.1").username == "erin"


def test_a_successful_sign_in_forgives_the_user_names_earlier_failures() -> None:
    user = make_member()
    for _ in range(4):
        fail("erin", ip=None)
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    for _ in range(4):
        fail("erin", ip=None)  # four more do not lock: only failures since the last sign-in count


def test_twenty_failures_from_one_address_lock_it_for_every_user_name() -> None:
    make_member()
    for number in range(19):
        fail(f"guess{number}", ip="192.0.2.7")
    with pytest.raises(Throttled):
        services.log_in(username="guess19", password="wrong", ip="192.0.2.7")
    with pytest.raises(Throttled):
        services.log_in(username="erin", password=PASSWORD, ip="192.0.2.7")
    assert services.log_in(username="erin", password=PASSWORD, ip="192.0.2.8").username == "erin"
    lockout = ChangeRecord.objects.get(action=AuditAction.LOGIN_LOCKED_OUT)
    assert (lockout.object_type, lockout.object_repr) == ("auth.ip", "192.0.2.7")
