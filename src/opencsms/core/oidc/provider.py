"""The OpenID provider as the server sees it: its settings (`settings.OIDC`), its discovery document, its
signing keys (JWKS) and its token and userinfo endpoints, all fetched through `core.outbound`.

The operator names the provider, so its host is allowed by the outbound policy without being listed in
`OPENCSMS_OUTBOUND_ALLOW_HOSTS` (an identity provider on the company network has a private address);
endpoints its discovery document puts on another host pass the policy's usual check. Every answer is
limited to `MAX_BYTES` and `TIMEOUT` seconds. The discovery document and the keys are kept for `KEEP_SECONDS`;
a token signed with a key id not among the kept keys fetches the keys again once (the provider rotated them).
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from django.conf import settings
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from opencsms.core import outbound
from opencsms.core.errors import DomainError

DISCOVERY_PATH = "/.well-known/openid-configuration"
MAX_BYTES = 1024 * 1024
TIMEOUT = 20.0
KEEP_SECONDS = 3600.0


class ProviderUnavailable(DomainError):
    """The provider cannot be reached, or answers something that is not OpenID Connect."""

    status = 502
    code = "provider_unavailable"


class SignInRefused(DomainError):
    """The provider's answer does not prove who signs in, or the person may not sign in here."""

    status = 403
    code = "sign_in_refused"


@dataclass(frozen=True)
class Config:
    issuer: str
    client_id: str
    client_secret: str
    create_users: bool
    label: str
    only: bool
    superuser_password: bool
    base_url: str


@dataclass(frozen=True)
class Endpoints:
    authorization: str
    token: str
    jwks: str
    userinfo: str
    secret_in_body: bool  # the provider takes the client secret in the form (client_secret_post), not Basic


def config() -> Config | None:
    """Single sign-on's settings, or None while it is off (no issuer)."""
    values: dict[str, Any] = settings.OIDC
    if not values["issuer"]:
        return None
    return Config(
        issuer=values["issuer"],
        client_id=values["client_id"],
        client_secret=values["client_secret"],
        create_users=bool(values["create_users"]),
        label=values["button_label"],
        only=bool(values["only"]),
        superuser_password=bool(values["superuser_password"]),
        base_url=values["base_url"],
    )


def policy(cfg: Config) -> outbound.Policy:
    """The outbound policy with the provider's host allowed, and tighter limits."""
    base = outbound.current()
    host = (urlsplit(cfg.issuer).hostname or "").lower()
    return replace(
        base,
        allow_hosts=base.allow_hosts | {host},
        max_bytes=min(base.max_bytes, MAX_BYTES),
        timeout=min(base.timeout, TIMEOUT),
    )


_kept: dict[str, tuple[float, Any]] = {}


def _json(cfg: Config, url: str, what: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    try:
        answer = json.loads(outbound.fetch(url, policy(cfg), headers=headers))
    except outbound.Refused as exc:
        raise ProviderUnavailable(f"the sign-in provider's {what} cannot be read: {exc.detail}") from None
    except ValueError:
        raise ProviderUnavailable(f"the sign-in provider's {what} at {url} is not JSON") from None
    if not isinstance(answer, dict):
        raise ProviderUnavailable(f"the sign-in provider's {what} at {url} is not a JSON object")
    return answer


def endpoints(cfg: Config) -> Endpoints:
    """The provider's endpoints from its discovery document (OpenID Connect Discovery 1.0, 4), whose
    `issuer` must be the configured one exactly (4.3)."""
    kept = _kept.get(f"discovery {cfg.issuer}")
    if kept is not None and time.monotonic() - kept[0] < KEEP_SECONDS:
        found: Endpoints = kept[1]
        return found
    document = _json(cfg, cfg.issuer.rstrip("/") + DISCOVERY_PATH, "discovery document")
    if document.get("issuer") != cfg.issuer:
        raise ProviderUnavailable(
            f"the discovery document names the issuer {str(document.get('issuer'))[:100]!r}, "
            f"not {cfg.issuer!r} (OPENCSMS_OIDC_ISSUER)"
        )
    urls = {}
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        url = document.get(name)
        if not isinstance(url, str) or urlsplit(url).scheme not in {"http", "https"}:
            raise ProviderUnavailable(f"the discovery document has no http(s) {name}")
        urls[name] = url
    methods = document.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    found = Endpoints(
        authorization=urls["authorization_endpoint"],
        token=urls["token_endpoint"],
        jwks=urls["jwks_uri"],
        userinfo=str(document.get("userinfo_endpoint") or ""),
        secret_in_body="client_secret_basic" not in methods and "client_secret_post" in methods,
    )
    _kept[f"discovery {cfg.issuer}"] = (time.monotonic(), found)
    return found


def keys(cfg: Config, eps: Endpoints, *, fresh: bool = False) -> KeySet:
    """The provider's public signing keys (its JWKS), kept for a while unless `fresh`."""
    kept = _kept.get(f"keys {eps.jwks}")
    if not fresh and kept is not None and time.monotonic() - kept[0] < KEEP_SECONDS:
        found: KeySet = kept[1]
        return found
    try:
        found = KeySet.import_key_set(_json(cfg, eps.jwks, "key set (JWKS)"))  # type: ignore[arg-type]
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise ProviderUnavailable(f"the sign-in provider's key set (JWKS) is not usable: {exc}") from None
    _kept[f"keys {eps.jwks}"] = (time.monotonic(), found)
    return found


def forget() -> None:
    """Drop the kept discovery documents and keys (tests; a changed provider)."""
    _kept.clear()


def redeem(cfg: Config, eps: Endpoints, *, code: str, verifier: str, redirect_uri: str) -> dict[str, Any]:
    """The token endpoint's answer for an authorization code (OpenID Connect Core 3.1.3.1), with the PKCE
    verifier (RFC 7636 4.5) and the client's secret."""
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
            "code_verifier": verifier}  # fmt: skip
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
    if eps.secret_in_body:
        form |= {"client_id": cfg.client_id, "client_secret": cfg.client_secret}
    else:  # RFC 6749 2.3.1: each part form-encoded, then Basic
        pair = f"{quote(cfg.client_id, safe='')}:{quote(cfg.client_secret, safe='')}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    try:
        status, body = outbound.submit(eps.token, urlencode(form).encode(), headers, policy(cfg))
    except outbound.Refused as exc:
        raise ProviderUnavailable(f"the sign-in provider's token endpoint: {exc.detail}") from None
    try:
        answer = json.loads(body)
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise ProviderUnavailable(f"the sign-in provider's token endpoint: HTTP {status} without JSON")
    if status != 200 or "error" in answer:
        error = str(answer.get("error", "?"))[:100]
        raise SignInRefused(f"the sign-in provider refused the code (HTTP {status}, {error})")
    return answer


def userinfo(cfg: Config, eps: Endpoints, access_token: str) -> dict[str, Any]:
    """The provider's userinfo answer (OpenID Connect Core 5.3) for the access token."""
    return _json(cfg, eps.userinfo, "userinfo", {"Authorization": f"Bearer {access_token}"})


def local_sign_in(cfg: Config | None) -> str:
    """Who may sign in with a password: everyone, or with `OPENCSMS_OIDC_ONLY` superusers (unless
    `OPENCSMS_OIDC_SUPERUSER_PASSWORD` is false) or nobody."""
    if cfg is None or not cfg.only:
        return "everyone"
    return "superusers" if cfg.superuser_password else "nobody"
