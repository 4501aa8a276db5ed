"""Writes of the core app. Each public service is atomic, checks the actor's permission and is audited."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from opencsms.core import audit, selectors
from opencsms.core.audit import AuditAction
from opencsms.core.errors import Conflict, Invalid, NotFound, Throttled
from opencsms.core.logs import security_event
from opencsms.core.models import ApiToken, LoginFailure, User

TOKEN_PREFIX = "ocs_"  # noqa: S105 - marks a string as an OpenCSMS token (for secret scanners)
LAST_USED_RESOLUTION = timedelta(minutes=1)
SYSTEM_USERNAME = selectors.SYSTEM_USERNAME
PASSWORD_OFF = "Password sign-in is off on this server: use single sign-on."  # noqa: S105 - a message
WRONG_CREDENTIALS = "Please enter a correct user name and password. Both are case-sensitive."


@transaction.atomic
def system_user() -> User:
    """The actor of changes no person makes (bootstrap, demo data, lockouts), created on first use.

    It is a superuser that can never sign in (inactive, no usable password). Its creation is the first record
    it writes: the actor of that record is itself, so even the bootstrap is in the audit trail.
    """
    found = User.objects.filter(username=SYSTEM_USERNAME).first()
    if found is not None:
        return found
    user = User(username=SYSTEM_USERNAME, is_active=False, is_superuser=True)
    user.set_unusable_password()
    user.save()
    audit.record(
        actor=user, action=AuditAction.USER_CREATED, obj=user, after=audit.snapshot(user), reason="bootstrap"
    )
    return user


@transaction.atomic
def create_superuser(*, username: str, password: str, email: str = "") -> User:
    """The audited replacement of `createsuperuser`: the system user creates the first administrators."""
    try:
        validate_password(password, User(username=username, email=email))
    except ValidationError as exc:
        raise Invalid(" ".join(exc.messages)) from None
    return create_user(
        actor=system_user(),
        username=username,
        email=email,
        password=password,
        is_staff=True,
        is_superuser=True,
    )


@transaction.atomic
def create_user(
    *,
    actor: User,
    username: str,
    email: str = "",
    password: str | None = None,
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    """Create a user (administrators only). Without a password the user cannot log in with one."""
    if not actor.is_superuser:
        raise PermissionDenied("only administrators may create users")
    _check_username(username)
    if User.objects.filter(username=username).exists():
        raise Conflict(f"the user name {username!r} is taken")
    user = User(username=username, email=email, is_staff=is_staff, is_superuser=is_superuser)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    audit.record(actor=actor, action=AuditAction.USER_CREATED, obj=user, after=audit.snapshot(user))
    return user


def _check_username(username: str) -> None:
    if not username:
        raise Invalid("a user name is required")
    try:
        User.username_validator(username)
    except ValidationError as exc:
        raise Invalid(f"invalid user name {username!r}: {' '.join(exc.messages)}") from None


@transaction.atomic
def create_api_token(*, actor: User, name: str) -> tuple[ApiToken, str]:
    """A new API token of the actor; returns it with the plain token, which is never stored or shown again."""
    if not name.strip():
        raise Invalid("a token name is required")
    if ApiToken.objects.filter(user=actor, name=name).exists():
        raise Conflict(f"you already have a token named {name!r}")
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=actor, name=name, token_sha256=token_digest(plain))
    audit.record(actor=actor, action=AuditAction.TOKEN_CREATED, obj=token, after=audit.snapshot(token))
    return token, plain


@transaction.atomic
def revoke_api_token(*, actor: User, token_id: int) -> None:
    """Delete a token the actor may see (their own; an administrator: anyone's)."""
    token = selectors.api_tokens(actor).select_for_update(of=("self",)).filter(pk=token_id).first()
    if token is None:
        raise NotFound(f"no API token {token_id}")
    before = audit.snapshot(token)
    audit.record(actor=actor, action=AuditAction.TOKEN_REVOKED, obj=token, before=before)
    token.delete()


def use_api_token(*, token: str) -> User | None:
    """The active user owning this plain token, or None. Notes when it was used (at most once a minute).

    `last_used` is bookkeeping, not a change of the system, so it is not audited.
    """
    found = selectors.api_token_by_sha256(token_digest(token))
    if found is None or not found.user.is_active:
        return None
    now = timezone.now()
    if found.last_used is None or now - found.last_used >= LAST_USED_RESOLUTION:
        with transaction.atomic():
            ApiToken.objects.filter(pk=found.pk).update(last_used=now)
    return found.user


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def log_in(*, username: str, password: str, ip: str | None, superusers_only: bool = False) -> User:
    """The user with these credentials, unless this user name is locked from this address, or the address is.

    Failures count per (user name, address), since the user's last sign-in and within
    `LOGIN_THROTTLE["window_seconds"]`: from the `["per_user_address"]`th on, each failure locks the pair
    for a delay that doubles (`["first_delay_seconds"]`, then twice that... at most the window). So a third
    party guessing the administrator's password from another address slows only itself: the administrator
    signs in from theirs. `["per_ip"]` failures from one address (any user names) lock the address until
    the oldest leaves the window. A locked attempt is refused without a password check. Failures are kept in
    `LoginFailure` (the security log); the failure that starts a lockout is audited, with the system user as
    actor. Not atomic as a whole: the failure must be kept although the sign-in is refused.
    `superusers_only` (single sign-on only, `OPENCSMS_OIDC_ONLY`): the right password of anyone else is
    refused too (a security event, not a failure: the password was right).
    """
    key = throttle_key(username)
    _refuse_while_locked(key, ip)
    user = authenticate(None, username=username, password=password)
    if isinstance(user, User) and superusers_only and not user.is_superuser:
        security_event("sign_in_refused", f"password sign-in as {key!r} refused: single sign-on only",
                       username=key, ip=ip)  # fmt: skip
        raise PermissionDenied(PASSWORD_OFF)
    if isinstance(user, User):
        return user
    security_event("sign_in_failed", f"failed sign-in as {key!r}", username=key, ip=ip)
    count_sign_in_failure(key, ip)
    raise Invalid(WRONG_CREDENTIALS)


def throttle_key(username: str) -> str:
    """The user name as the sign-in throttle counts it (case-folded, at most 150 characters)."""
    return username.casefold()[:150]


def refuse_while_locked(key: str, ip: str | None) -> None:
    """`Throttled` while this user name is locked from this address, or the address is (`log_in`)."""
    _refuse_while_locked(key, ip)


def count_sign_in_failure(key: str, ip: str | None) -> None:
    """Keep one failed sign-in step (a password, or the second factor's code) in the throttle's log, audit
    the failure that starts a lockout, and raise `Throttled` if this failure locked the pair or address."""
    with transaction.atomic():
        LoginFailure.objects.create(username=key, ip=ip, correlation_id=audit.current_correlation_id())
        _audit_lockout_start(key, ip)
    _refuse_while_locked(key, ip)


def _recent_failures(key: str, ip: str | None) -> tuple[list[LoginFailure], list[LoginFailure]]:
    """The failures within the window: for the user name from this address (since its last sign-in), and
    from the address for any user name."""
    since = timezone.now() - timedelta(seconds=settings.LOGIN_THROTTLE["window_seconds"])
    last_login = User.objects.filter(username__iexact=key).values_list("last_login", flat=True).first()
    pair_since = max(since, last_login) if last_login else since
    by_pair = list(LoginFailure.objects.filter(username=key, ip=ip, time__gt=pair_since).order_by("time"))
    by_ip = list(LoginFailure.objects.filter(ip=ip, time__gt=since).order_by("time")) if ip else []
    return by_pair, by_ip


def lockout_delay(failures: int) -> timedelta:
    """How long a (user name, address) pair is locked after its `failures`th failure: nothing before the
    limit, then a first delay doubled with each further failure, at most the window."""
    limits = settings.LOGIN_THROTTLE
    extra = failures - limits["per_user_address"]
    if extra < 0:
        return timedelta(0)
    seconds = min(limits["first_delay_seconds"] * 2 ** min(extra, 32), limits["window_seconds"])
    return timedelta(seconds=seconds)


def _refuse_while_locked(key: str, ip: str | None) -> None:
    limits = settings.LOGIN_THROTTLE
    by_pair, by_ip = _recent_failures(key, ip)
    ends = [by_pair[-1].time + lockout_delay(len(by_pair))] if by_pair else []
    if len(by_ip) >= limits["per_ip"]:
        ends.append(by_ip[-limits["per_ip"]].time + timedelta(seconds=limits["window_seconds"]))
    wait = max(ends, default=timezone.now()) - timezone.now()
    if wait.total_seconds() > 0:
        security_event("sign_in_locked", f"sign-in as {key!r} refused: locked out", username=key, ip=ip)
        raise Throttled(
            "Too many failed sign-in attempts for this account from your address (or from your address in "
            f"all). Sign-in from here is blocked: try again in {_duration(wait)}."
        )


def _duration(wait: timedelta) -> str:
    seconds = max(1, round(wait.total_seconds()))
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = round(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _audit_lockout_start(key: str, ip: str | None) -> None:
    """Audit the failure that reaches a limit (once per lockout), with the system user as actor."""
    limits = settings.LOGIN_THROTTLE
    by_pair, by_ip = _recent_failures(key, ip)
    user = User.objects.filter(username__iexact=key).first()
    for count, limit, kind, value in (
        (len(by_pair), limits["per_user_address"], "username", key),
        (len(by_ip), limits["per_ip"], "ip", ip),
    ):
        if count != limit:
            continue
        security_event("lockout_started", f"{kind} {value!r} locked out after {count} failures",
                       locked=kind, username=key, ip=ip, failures=count)  # fmt: skip
        audit.record(
            actor=system_user(),
            action=AuditAction.LOGIN_LOCKED_OUT,
            obj=user if kind == "username" else None,
            object_type="" if kind == "username" and user else f"auth.{kind}",
            object_repr=str(value),
            after={"locked": kind, "username": key, "ip": ip, "failures": count},
            reason=f"{count} failed sign-ins within {limits['window_seconds'] / 60:.0f} minutes"
            + (f" from {ip}" if kind == "username" and ip else ""),
        )


# The account pages (a person's own profile and password) and the user administration (superusers).

PROFILE_FIELDS = ("first_name", "last_name", "email")


@transaction.atomic
def update_profile(*, actor: User, first_name: str, last_name: str, email: str) -> User:
    """Change the actor's own name and email; audited only when something changed."""
    user = User.objects.select_for_update().get(pk=actor.pk)
    before = audit.snapshot(user)
    user.first_name, user.last_name, user.email = first_name.strip(), last_name.strip(), email.strip()
    if audit.snapshot(user) == before:
        return user
    user.save(update_fields=list(PROFILE_FIELDS))
    audit.record(
        actor=actor, action=AuditAction.USER_UPDATED, obj=user, before=before, after=audit.snapshot(user)
    )
    return user


def _valid_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise Invalid(" ".join(exc.messages)) from None


@transaction.atomic
def change_password(*, actor: User, current: str, new: str) -> User:
    """Change the actor's own password, which they must know (the record holds no password, hashed or not)."""
    user = User.objects.select_for_update().get(pk=actor.pk)
    if not user.check_password(current):
        raise Invalid("the current password is not correct")
    _valid_password(new, user)
    user.set_password(new)
    user.save(update_fields=["password"])
    audit.record(actor=actor, action=AuditAction.USER_PASSWORD_CHANGED, obj=user)
    return user


def _managed(actor: User, user_id: int) -> User:
    user = selectors.managed_users(actor).select_for_update().filter(pk=user_id).first()
    if user is None:
        raise NotFound(f"no user {user_id}")
    return user


@transaction.atomic
def register_user(
    *, actor: User, username: str, email: str = "", first_name: str = "", last_name: str = "", password: str
) -> User:
    """A new person's account with a password that passes the password rules (superusers only)."""
    if not actor.is_superuser:
        raise PermissionDenied("only superusers manage users")
    _valid_password(
        password, User(username=username, email=email, first_name=first_name, last_name=last_name)
    )
    user = create_user(actor=actor, username=username, email=email, password=password)
    if first_name or last_name:
        before = audit.snapshot(user)
        user.first_name, user.last_name = first_name.strip(), last_name.strip()
        user.save(update_fields=["first_name", "last_name"])
        after = audit.snapshot(user)
        audit.record(actor=actor, action=AuditAction.USER_UPDATED, obj=user, before=before, after=after)
    return user


@transaction.atomic
def set_user_active(*, actor: User, user_id: int, active: bool) -> User:
    """Deactivate an account (it can no longer sign in or use its API tokens) or activate it again."""
    user = _managed(actor, user_id)
    if user.pk == actor.pk and not active:
        raise Conflict("you cannot deactivate your own account")
    if user.is_active == active:
        return user
    before = audit.snapshot(user)
    user.is_active = active
    user.save(update_fields=["is_active"])
    action = AuditAction.USER_ACTIVATED if active else AuditAction.USER_DEACTIVATED
    audit.record(actor=actor, action=action, obj=user, before=before, after=audit.snapshot(user))
    return user


@transaction.atomic
def reset_password(*, actor: User, user_id: int, password: str) -> User:
    """Give an account a new password (superusers only), e.g. for a person who forgot theirs."""
    user = _managed(actor, user_id)
    _valid_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit.record(actor=actor, action=AuditAction.USER_PASSWORD_RESET, obj=user)
    return user
