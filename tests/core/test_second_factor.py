"""The second factor's services (`core.second_factor`): enrolment confirmed by a first code, recovery codes
shown once and stored hashed, codes checked at sign-in with one step of drift and never twice, wrong codes
counted by the sign-in throttle, turning off with a code or the password; audit records and security events.
"""

from __future__ import annotations

import logging
import time

import pytest
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied

from opencsms.core import second_factor, totp
from opencsms.core.audit import AuditAction
from opencsms.core.errors import Conflict, Invalid, Throttled
from opencsms.core.models import ChangeRecord, LoginFailure, TotpDevice, User

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
IP = "10.0.0.7"


def make_member(username: str = "erin") -> User:
    return User.objects.create(username=username, password=make_password(PASSWORD))


def code(user: User, now: float) -> str:
    return totp.code_at(TotpDevice.objects.get(user=user).secret, now)


def enrolled(user: User, now: float) -> list[str]:
    second_factor.start_enrolment(actor=user)
    return second_factor.confirm_enrolment(actor=user, code=code(user, now), now=now)


def actions(user: User) -> list[str]:
    return list(ChangeRecord.objects.filter(object_id=str(user.pk)).values_list("action", flat=True))


def test_enrolment_is_on_only_after_a_right_first_code_and_gives_ten_hashed_recovery_codes() -> None:
    erin, now = make_member(), time.time()
    device = second_factor.start_enrolment(actor=erin)
    assert second_factor.pending(erin) == device
    assert not second_factor.enabled(erin)
    wrong = "000000" if code(erin, now) != "000000" else "111111"
    with pytest.raises(Invalid, match="does not match"):
        second_factor.confirm_enrolment(actor=erin, code=wrong, now=now)
    assert not second_factor.enabled(erin)
    assert actions(erin) == []  # a refused or waiting enrolment changes nothing
    codes = second_factor.confirm_enrolment(actor=erin, code=code(erin, now), now=now)
    assert second_factor.enabled(erin)
    assert second_factor.pending(erin) is None
    assert len(set(codes)) == second_factor.RECOVERY_CODES
    stored = TotpDevice.objects.get(user=erin).recovery_codes
    assert set(stored) == {totp.recovery_digest(plain) for plain in codes}
    assert not set(codes) & set(stored)  # only digests are kept
    record = ChangeRecord.objects.get(action=AuditAction.TOTP_ENABLED)
    assert (record.actor, record.object_id, record.after) == (
        erin, str(erin.pk), {"second_factor": "totp", "recovery_codes": 10},
    )  # fmt: skip
    assert secret_not_in_audit(TotpDevice.objects.get(user=erin).secret)


def secret_not_in_audit(secret: str) -> bool:
    return not any(secret in str(record.after) for record in ChangeRecord.objects.all())


def test_starting_again_replaces_a_waiting_secret_but_not_an_active_one() -> None:
    erin, now = make_member(), time.time()
    first = second_factor.start_enrolment(actor=erin).secret
    assert second_factor.start_enrolment(actor=erin).secret != first
    assert TotpDevice.objects.filter(user=erin).count() == 1
    enrolled(erin, now)
    with pytest.raises(Conflict, match="on already"):
        second_factor.start_enrolment(actor=erin)
    with pytest.raises(Conflict, match="no enrolment is waiting"):
        second_factor.confirm_enrolment(actor=erin, code=code(erin, now))


def test_a_code_signs_in_with_one_step_of_drift_and_never_twice() -> None:
    erin, now = make_member(), time.time() - 300
    enrolled(erin, now)  # uses the code of `now`'s step
    later = now + 10 * totp.STEP_SECONDS
    behind = code(erin, later - totp.STEP_SECONDS)
    assert second_factor.verify_sign_in(user_id=erin.pk, code=behind, ip=IP, now=later) == erin
    with pytest.raises(Invalid, match="used already"):  # a replay of the same code
        second_factor.verify_sign_in(user_id=erin.pk, code=behind, ip=IP, now=later)
    ahead = code(erin, later + totp.STEP_SECONDS)
    assert second_factor.verify_sign_in(user_id=erin.pk, code=ahead, ip=IP, now=later) == erin
    with pytest.raises(Invalid, match="used already"):  # a code older than the last accepted one
        second_factor.verify_sign_in(user_id=erin.pk, code=code(erin, later), ip=IP, now=later)
    too_far = code(erin, later + 3 * totp.STEP_SECONDS)
    with pytest.raises(Invalid, match="not correct"):
        second_factor.verify_sign_in(user_id=erin.pk, code=too_far, ip=IP, now=later)


def test_a_recovery_code_works_once_and_its_use_is_audited() -> None:
    erin = make_member()
    codes = enrolled(erin, time.time())
    assert second_factor.verify_sign_in(user_id=erin.pk, code=codes[3].lower(), ip=IP) == erin
    assert second_factor.recovery_codes_left(erin) == 9
    with pytest.raises(Invalid, match="not correct"):
        second_factor.verify_sign_in(user_id=erin.pk, code=codes[3], ip=IP)
    record = ChangeRecord.objects.get(action=AuditAction.TOTP_RECOVERY_CODE_USED)
    assert (record.actor, record.after) == (erin, {"recovery_codes_left": 9})


def test_wrong_codes_count_toward_the_sign_in_throttle_and_are_security_events(
    caplog: pytest.LogCaptureFixture,
) -> None:
    erin = make_member()
    enrolled(erin, time.time() - 600)
    wrong = "ABCDE-FGHIJ"  # a recovery code that was never given
    with caplog.at_level(logging.WARNING, logger="opencsms.security"):
        for _ in range(4):
            with pytest.raises(Invalid, match="not correct"):
                second_factor.verify_sign_in(user_id=erin.pk, code=wrong, ip=IP)
        with pytest.raises(Throttled):  # the 5th failure locks (user name, address)
            second_factor.verify_sign_in(user_id=erin.pk, code=wrong, ip=IP)
    assert LoginFailure.objects.filter(username="erin", ip=IP).count() == 5
    assert [r.event for r in caplog.records].count("second_factor_failed") == 5  # type: ignore[attr-defined]
    right = code(erin, time.time())
    with pytest.raises(Throttled):  # locked: even the right code is not checked
        second_factor.verify_sign_in(user_id=erin.pk, code=right, ip=IP)
    assert second_factor.verify_sign_in(user_id=erin.pk, code=right, ip="10.0.0.8") == erin  # another address
    assert AuditAction.LOGIN_LOCKED_OUT in ChangeRecord.objects.values_list("action", flat=True)


def test_turning_off_needs_a_current_code_or_the_password() -> None:
    erin, now = make_member(), time.time() - 120
    enrolled(erin, now)
    with pytest.raises(Invalid, match="Neither"):
        second_factor.disable(actor=erin, proof="not my password")
    assert second_factor.enabled(erin)
    second_factor.disable(actor=erin, proof=PASSWORD)
    assert not second_factor.enabled(erin)
    assert not TotpDevice.objects.filter(user=erin).exists()
    with pytest.raises(Conflict, match="not on"):
        second_factor.disable(actor=erin, proof=PASSWORD)
    enrolled(erin, now)
    second_factor.disable(actor=erin, proof=code(erin, time.time()))
    assert not second_factor.enabled(erin)
    assert actions(erin).count(AuditAction.TOTP_DISABLED) == 2


def test_a_sign_in_whose_user_was_deactivated_meanwhile_is_refused() -> None:
    erin = make_member()
    enrolled(erin, time.time() - 60)
    User.objects.filter(pk=erin.pk).update(is_active=False)
    with pytest.raises(Invalid, match="sign in again"):
        second_factor.verify_sign_in(user_id=erin.pk, code=code(erin, time.time()), ip=IP)


def test_a_superuser_removes_a_lost_second_factor_and_others_may_not() -> None:
    erin, root = make_member(), User.objects.create(username="root", is_superuser=True)
    enrolled(erin, time.time() - 60)
    with pytest.raises(PermissionDenied):
        second_factor.reset(actor=make_member("olga"), user_id=erin.pk)
    assert second_factor.reset(actor=root, user_id=erin.pk) == erin
    assert not second_factor.enabled(erin)
    record = ChangeRecord.objects.get(action=AuditAction.TOTP_RESET)
    assert (record.actor, record.object_id, record.before) == (root, str(erin.pk), {"second_factor": "totp"})
    with pytest.raises(Conflict, match="no second factor"):
        second_factor.reset(actor=root, user_id=erin.pk)
