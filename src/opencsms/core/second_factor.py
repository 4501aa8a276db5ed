"""The second sign-in factor of local accounts: enrol an authenticator app (TOTP, `core.totp`), confirm it
with a first code, turn it off, and check the code at sign-in (writes, like `core.services`).

A code is accepted for the current 30-second step or one either side, and only for a step after the last
one accepted: a code works once. A recovery code (ten are given when the factor is turned on, shown once,
stored as SHA-256) replaces a code once. Wrong codes at sign-in count toward the sign-in throttle of the
(user name, address) pair, like wrong passwords. Turning the factor on or off and using a recovery code are
audited; failures are security events (`opencsms.security`).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from opencsms.core import audit, selectors, services, totp
from opencsms.core.audit import AuditAction
from opencsms.core.errors import Conflict, Invalid
from opencsms.core.logs import security_event
from opencsms.core.models import TotpDevice, User

ISSUER = "OpenCSMS"
RECOVERY_CODES = 10
WRONG_CODE = (
    "The code is not correct: enter the current 6-digit code of your authenticator app, or a recovery code."
)
USED_CODE = "This code was used already: wait for the next code of your authenticator app."


_REQUIRED_FOR: list[Callable[[User], bool]] = []


def require_for(predicate: Callable[[User], bool]) -> None:
    """Register who else, besides superusers, must have a second factor when `settings.REQUIRE_TOTP` is on
    (the organisation app registers its administrators: core cannot import it)."""
    _REQUIRED_FOR.append(predicate)


def required(user: User) -> bool:
    """Whether the server requires this user to sign in with a second factor (`OPENCSMS_REQUIRE_TOTP`)."""
    if not settings.REQUIRE_TOTP:
        return False
    return user.is_superuser or any(predicate(user) for predicate in _REQUIRED_FOR)


def enabled(user: User) -> bool:
    """Whether the user signs in with a second factor (an authenticator confirmed with a code)."""
    return TotpDevice.objects.filter(user_id=user.pk, confirmed__isnull=False).exists()


def signing_in(user_id: int) -> User | None:
    """The active user whose sign-in waits for its second step."""
    return User.objects.filter(pk=user_id, is_active=True).first()


def pending(user: User) -> TotpDevice | None:
    """The enrolment waiting for its first code, if any (its secret is shown to its owner until then)."""
    return TotpDevice.objects.filter(user_id=user.pk, confirmed__isnull=True).first()


def recovery_codes_left(user: User) -> int:
    device = TotpDevice.objects.filter(user_id=user.pk, confirmed__isnull=False).first()
    return len(device.recovery_codes) if device else 0


def provisioning_uri(device: TotpDevice) -> str:
    return totp.otpauth_uri(device.secret, account=device.user.get_username(), issuer=ISSUER)


def provisioning_qr(uri: str) -> str:
    """The otpauth:// link as a QR code for the app's camera: an SVG `data:` URI (the page's CSP allows
    `img-src data:`; nothing is fetched from elsewhere)."""
    return str(segno.make(uri, error="m").svg_data_uri(scale=4, border=2))


@transaction.atomic
def start_enrolment(*, actor: User) -> TotpDevice:
    """A new secret for the actor's authenticator, in force once confirmed with a code (`confirm_enrolment`).
    Starting again replaces a waiting secret. Not audited: nothing changes how the actor signs in yet."""
    device = TotpDevice.objects.select_for_update().filter(user_id=actor.pk).first()
    if device is not None and device.confirmed:
        raise Conflict("the second factor is on already: turn it off first to enrol another authenticator")
    if device is None:
        return TotpDevice.objects.create(user=actor, secret=totp.new_secret())
    device.secret, device.created = totp.new_secret(), timezone.now()
    device.save(update_fields=["secret", "created"])
    return device


@transaction.atomic
def confirm_enrolment(*, actor: User, code: str, now: float | None = None) -> list[str]:
    """Turn the second factor on with a current code of the new authenticator; returns the recovery codes
    (plain, never stored or shown again)."""
    device = TotpDevice.objects.select_for_update().filter(user_id=actor.pk, confirmed__isnull=True).first()
    if device is None:
        raise Conflict("no enrolment is waiting for a code: start setting up the authenticator first")
    step = totp.matching_step(device.secret, code, now=now)
    if step is None:
        security_event("second_factor_enrol_failed", f"wrong first code of {actor.username!r}",
                       username=actor.username)  # fmt: skip
        raise Invalid("The code does not match the new secret: enter the 6-digit code your app shows now.")
    codes = [totp.new_recovery_code() for _ in range(RECOVERY_CODES)]
    device.confirmed, device.last_step = timezone.now(), step
    device.recovery_codes = [totp.recovery_digest(plain) for plain in codes]
    device.save(update_fields=["confirmed", "last_step", "recovery_codes"])
    audit.record(actor=actor, action=AuditAction.TOTP_ENABLED, obj=actor,
                 after={"second_factor": "totp", "recovery_codes": RECOVERY_CODES})  # fmt: skip
    return codes


@transaction.atomic
def disable(*, actor: User, proof: str, now: float | None = None) -> None:
    """Turn the actor's second factor off; `proof` is a current code or the actor's password."""
    device = TotpDevice.objects.select_for_update().filter(user_id=actor.pk, confirmed__isnull=False).first()
    if device is None:
        raise Conflict("the second factor is not on")
    user = User.objects.get(pk=actor.pk)
    if required(user):
        raise Conflict("this server requires a second factor for your account: it cannot be turned off")
    if not (proof and user.check_password(proof)) and _code_problem(device, proof, now) is not None:
        security_event("second_factor_disable_refused", f"turning off the second factor of {actor.username!r}"
                       " refused: wrong code or password", username=actor.username)  # fmt: skip
        raise Invalid("Neither a current code of your authenticator app nor your password: nothing changed.")
    audit.record(actor=actor, action=AuditAction.TOTP_DISABLED, obj=actor,
                 before={"second_factor": "totp", "recovery_codes": len(device.recovery_codes)})  # fmt: skip
    device.delete()


@transaction.atomic
def reset(*, actor: User, user_id: int) -> User:
    """Remove another person's second factor (superusers only: `selectors.managed_users`), for someone who
    lost both the authenticator and the recovery codes; they sign in with the password alone again (or set
    one up at once when the server requires it)."""
    user = selectors.managed_users(actor).select_for_update().filter(pk=user_id).first()
    device = TotpDevice.objects.select_for_update().filter(user_id=user_id).first() if user else None
    if user is None or device is None:
        raise Conflict(f"user {user_id} has no second factor to remove")
    audit.record(actor=actor, action=AuditAction.TOTP_RESET, obj=user,
                 before={"second_factor": "totp" if device.confirmed else "being set up"})  # fmt: skip
    device.delete()
    return user


def _code_problem(device: TotpDevice, code: str, now: float | None) -> str | None:
    """None when `code` is a current code not used before (then it is used up: `last_step` moves on), else
    why not. The caller holds the device's row lock and saves nothing else."""
    step = totp.matching_step(device.secret, code, now=now)
    if step is None:
        return WRONG_CODE
    if step <= device.last_step:
        return USED_CODE
    device.last_step = step
    device.save(update_fields=["last_step"])
    return None


def _use_recovery_code(device: TotpDevice, code: str, user: User) -> bool:
    digest = totp.recovery_digest(code)
    if digest not in device.recovery_codes:
        return False
    device.recovery_codes = [kept for kept in device.recovery_codes if kept != digest]
    device.save(update_fields=["recovery_codes"])
    audit.record(actor=user, action=AuditAction.TOTP_RECOVERY_CODE_USED, obj=user,
                 after={"recovery_codes_left": len(device.recovery_codes)}, reason="sign-in")  # fmt: skip
    return True


def _is_recovery_code(code: str) -> bool:
    return len(code.replace("-", "").replace(" ", "")) == 10


def verify_sign_in(*, user_id: int, code: str, ip: str | None, now: float | None = None) -> User:
    """The second step of a sign-in: the user whose password was right, once `code` (a current code or a
    recovery code) is right too. Refused while the sign-in throttle locks the user name from this address;
    a wrong code counts as a failed sign-in. Not atomic as a whole: the failure must be kept."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise Invalid("This sign-in has ended: sign in again.")
    key = services.throttle_key(user.username)
    services.refuse_while_locked(key, ip)
    problem = _check(user, code.strip(), time.time() if now is None else now)
    if problem is None:
        return user
    security_event("second_factor_failed", f"wrong second-factor code for {key!r}", username=key, ip=ip)
    services.count_sign_in_failure(key, ip)
    raise Invalid(problem)


@transaction.atomic
def _check(user: User, code: str, now: float) -> str | None:
    device = TotpDevice.objects.select_for_update().filter(user_id=user.pk, confirmed__isnull=False).first()
    if device is None:  # turned off since the password step: the password alone signs in, unless required
        return "Sign in again: your account must set up a second factor first." if required(user) else None
    if _is_recovery_code(code):
        return None if _use_recovery_code(device, code, user) else WRONG_CODE
    return _code_problem(device, code, now)
