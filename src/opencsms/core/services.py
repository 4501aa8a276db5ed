"""Writes of the core app. Each public service is atomic, checks the actor's permission and is audited."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from opencsms.core import audit, selectors
from opencsms.core.audit import AuditAction
from opencsms.core.errors import Conflict, Invalid, NotFound
from opencsms.core.models import ApiToken, User

TOKEN_PREFIX = "ocs_"  # noqa: S105 - marks a string as an OpenCSMS token (for secret scanners)
LAST_USED_RESOLUTION = timedelta(minutes=1)


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
