"""Who a single sign-on signs in (writes, like `core.services`): the account whose email is the provider's
verified email, or, when the operator allows it (`OPENCSMS_OIDC_CREATE_USERS`), a new account without any
membership (it sees nothing until an administrator adds it somewhere; created by the system user, audited).

Single sign-on shares the password sign-in's throttle (`core.services`): a refused answer counts as a failed
sign-in from the caller's address, under the matched account's user name or, before one is known, under
`PROTOCOL_KEY` (a name no account can have); a locked pair or address is refused before anything is checked.
An unknown person, an unverified email, a deactivated account and an email shared by several accounts are
refused. Successes and failures are security events (`opencsms.security`); the failure that starts a
lock-out is audited, as for passwords. The local second factor is not asked: the provider owns it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, MutableMapping
from typing import Any, NoReturn

from django.db import transaction

from opencsms.core import services
from opencsms.core.errors import DomainError, NotFound
from opencsms.core.logs import security_event
from opencsms.core.models import User
from opencsms.core.oidc import flow, provider
from opencsms.core.oidc.provider import Config, SignInRefused

PROTOCOL_KEY = "(single sign-on)"  # parentheses: never a user name (Django allows letters, digits, @.+-_)
_NOT_IN_USERNAME = re.compile(r"[^\w.@+-]")


def start(session: MutableMapping[str, Any], *, redirect_uri: str, next_url: str) -> str:
    """The provider's URL to send the browser to (`flow.begin`); `NotFound` while single sign-on is off."""
    try:
        return flow.begin(session, _config(), redirect_uri=redirect_uri, next_url=next_url)
    except provider.ProviderUnavailable as exc:
        security_event("sso_provider_unavailable", exc.detail, level=logging.ERROR)
        raise


def complete(
    session: MutableMapping[str, Any], params: Mapping[str, str], *, redirect_uri: str, ip: str | None
) -> tuple[User, str]:
    """The account the provider's answer signs in, and where to go next; refusals are counted and logged."""
    cfg = _config()
    services.refuse_while_locked(PROTOCOL_KEY, ip)
    next_url = flow.pending_next(session)
    try:
        claims = flow.finish(session, cfg, params, redirect_uri=redirect_uri)
    except provider.ProviderUnavailable as exc:
        security_event("sso_provider_unavailable", exc.detail, level=logging.ERROR, ip=ip)
        raise
    except DomainError as exc:
        _refuse(PROTOCOL_KEY, ip, exc)
    user = _account(cfg, claims, ip)
    security_event("sign_in", f"{user.username!r} signed in by single sign-on", level=logging.INFO,
                   method="oidc", username=user.username, ip=ip, subject=str(claims["sub"]))  # fmt: skip
    return user, next_url


def _config() -> Config:
    cfg = provider.config()
    if cfg is None:
        raise NotFound("single sign-on is not set up on this server")
    return cfg


def _refuse(key: str, ip: str | None, exc: DomainError) -> NoReturn:
    """Log and count a refused single sign-on, then raise it (or `Throttled` if it started a lock-out)."""
    security_event("sign_in_failed", f"failed single sign-on as {key!r}: {exc.detail}",
                   method="oidc", username=key, ip=ip)  # fmt: skip
    services.count_sign_in_failure(key, ip)
    raise exc


def _account(cfg: Config, claims: Mapping[str, Any], ip: str | None) -> User:
    email = str(claims.get("email") or "").strip()
    if not email or claims.get("email_verified") is not True:
        _refuse(PROTOCOL_KEY, ip, SignInRefused(
            "the sign-in provider did not give a verified email address: it is how accounts are matched"
        ))  # fmt: skip
    matches = list(User.objects.filter(email__iexact=email).exclude(username=services.SYSTEM_USERNAME)[:2])
    if len(matches) > 1:
        _refuse(services.throttle_key(email), ip, SignInRefused(
            f"several accounts have the email {email}: an administrator must give each its own"
        ))  # fmt: skip
    if not matches and not cfg.create_users:
        _refuse(services.throttle_key(email), ip, SignInRefused(
            f"no account has the email {email}: ask an administrator to create yours"
        ))  # fmt: skip
    user = matches[0] if matches else None
    key = services.throttle_key(user.username if user else email)
    services.refuse_while_locked(key, ip)
    if user is None:
        return _create(cfg, claims, email)
    if not user.is_active:
        _refuse(key, ip, SignInRefused(f"the account {user.username!r} is deactivated"))
    return user


@transaction.atomic
def _create(cfg: Config, claims: Mapping[str, Any], email: str) -> User:
    """A new account for a person the provider vouches for: no password, no membership, created by the
    system user (audited). Its user name is the provider's `preferred_username` (or the email's local part),
    cleaned to what user names allow, with a number added when taken."""
    wanted = str(claims.get("preferred_username") or email.split("@", maxsplit=1)[0])
    base = _NOT_IN_USERNAME.sub("", wanted)[:140] or "user"
    username, number = base, 1
    while User.objects.filter(username__iexact=username).exists():
        number += 1
        username = f"{base}-{number}"
    user = services.create_user(actor=services.system_user(), username=username, email=email)
    security_event("sso_user_created", f"account {username!r} created at its first single sign-on",
                   level=logging.INFO, username=username, issuer=cfg.issuer)  # fmt: skip
    return user
