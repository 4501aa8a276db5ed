"""The authorization code flow (OpenID Connect Core 1.0, 3.1) with PKCE (RFC 7636, S256).

`begin` makes a fresh `state`, `nonce` and PKCE verifier, keeps them in the caller's session (and where to
go afterwards), and returns the provider's authorization URL. `finish` takes the provider's answer on the
callback: the `state` must be the one kept (a callback this browser did not start is refused: no sign-in
forced on someone else), the waiting sign-in at most `PENDING_SECONDS` old and used once; the code is
redeemed with the verifier and the client secret, and the ID token checked (`tokens`). Its claims, merged
with the userinfo answer when the ID token carries no email (its `sub` must match), are returned.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections.abc import Mapping, MutableMapping
from typing import Any
from urllib.parse import urlencode

from opencsms.core.errors import Invalid
from opencsms.core.oidc import provider, tokens
from opencsms.core.oidc.provider import Config, SignInRefused

SESSION_KEY = "opencsms_oidc_pending"
PENDING_SECONDS = 600
SCOPE = "openid email profile"


def challenge(verifier: str) -> str:
    """The PKCE S256 code challenge of a verifier (RFC 7636 4.2)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def begin(session: MutableMapping[str, Any], cfg: Config, *, redirect_uri: str, next_url: str) -> str:
    """The provider's authorization URL for a new sign-in, whose secrets the session keeps."""
    eps = provider.endpoints(cfg)
    state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(48)
    session[SESSION_KEY] = {"state": state, "nonce": nonce, "verifier": verifier, "next": next_url,
                            "since": time.time()}  # fmt: skip
    query = {
        "response_type": "code",
        "client_id": cfg.client_id,
        "redirect_uri": redirect_uri,
        "scope": SCOPE,
        "state": state,
        "nonce": nonce,
        "code_challenge": challenge(verifier),
        "code_challenge_method": "S256",
    }
    separator = "&" if "?" in eps.authorization else "?"
    return f"{eps.authorization}{separator}{urlencode(query)}"


def pending_next(session: Mapping[str, Any]) -> str:
    """Where the waiting sign-in goes once done ("" when none waits)."""
    waiting = session.get(SESSION_KEY)
    return str(waiting.get("next", "")) if isinstance(waiting, dict) else ""


def finish(
    session: MutableMapping[str, Any], cfg: Config, params: Mapping[str, str], *, redirect_uri: str
) -> dict[str, Any]:
    """The checked claims of the person the provider signed in, else `Invalid` (a callback this browser
    did not start, or a bad `state`), `SignInRefused` (the provider refused, or its token does not check)
    or `ProviderUnavailable`."""
    waiting = session.pop(SESSION_KEY, None)
    if not isinstance(waiting, dict) or time.time() - float(waiting.get("since", 0)) > PENDING_SECONDS:
        raise Invalid("no single sign-on is waiting in this browser (or it took too long): start again")
    if not secrets.compare_digest(str(params.get("state", "")), str(waiting["state"])):
        raise Invalid("the sign-in provider's answer does not belong to this sign-in (state differs)")
    if params.get("error"):
        text = str(params.get("error_description") or params["error"])[:200]
        raise SignInRefused(f"the sign-in provider did not sign you in: {text}")
    code = params.get("code", "")
    if not code:
        raise Invalid("the sign-in provider's answer has no code")
    eps = provider.endpoints(cfg)
    answer = provider.redeem(cfg, eps, code=code, verifier=waiting["verifier"], redirect_uri=redirect_uri)
    id_token = answer.get("id_token")
    if not isinstance(id_token, str):
        raise SignInRefused("the sign-in provider's answer has no ID token")
    claims = _verified(cfg, eps, id_token, waiting["nonce"])
    if not claims.get("email") and eps.userinfo and isinstance(answer.get("access_token"), str):
        info = provider.userinfo(cfg, eps, answer["access_token"])
        if info.get("sub") != claims["sub"]:
            raise SignInRefused("the userinfo answer is about another person than the ID token (sub differs)")
        claims = {**info, **{name: value for name, value in claims.items() if value is not None}}
    return claims


def _verified(cfg: Config, eps: provider.Endpoints, id_token: str, nonce: str) -> dict[str, Any]:
    for fresh in (False, True):  # a key id not among the kept keys: the provider may have rotated them
        keys = provider.keys(cfg, eps, fresh=fresh)
        try:
            return tokens.verify_id_token(
                id_token, keys, issuer=cfg.issuer, client_id=cfg.client_id, nonce=nonce
            )
        except tokens.UnknownKey:
            continue
    raise SignInRefused("the ID token is signed with a key the provider does not publish")
