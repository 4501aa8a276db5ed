"""The ID token's checks (OpenID Connect Core 1.0, 3.1.3.7), with joserfc: the signature against the
provider's keys (an asymmetric algorithm only: `ALGORITHMS`), then the claims: `iss` is the issuer exactly,
`aud` holds the client id (and, with several audiences, `azp` is the client id), `exp` is in the future and
`iat` is present (`LEEWAY_SECONDS` of clock difference allowed), `sub` is present and `nonce` is the one the
sign-in sent."""

from __future__ import annotations

import time
from typing import Any

from joserfc import jwt
from joserfc.errors import (
    ExpiredTokenError,
    InvalidClaimError,
    InvalidKeyIdError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet

from opencsms.core.oidc.provider import SignInRefused

ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "ES256", "ES384")
LEEWAY_SECONDS = 60


class UnknownKey(Exception):
    """The token names a key id the key set does not hold (the provider may have rotated its keys)."""


def verify_id_token(
    token: str, keys: KeySet, *, issuer: str, client_id: str, nonce: str, now: float | None = None
) -> dict[str, Any]:
    """The ID token's claims once its signature and claims are right, else `SignInRefused` naming the check
    that failed; `UnknownKey` for a key id the key set does not hold (the caller fetches the keys again)."""
    try:
        decoded = jwt.decode(token, keys, algorithms=list(ALGORITHMS))
    except InvalidKeyIdError:
        raise UnknownKey from None
    except (JoseError, ValueError, TypeError) as exc:
        raise SignInRefused(f"the ID token's signature is not valid ({_reason(exc)})") from None
    claims = dict(decoded.claims)
    registry = jwt.JWTClaimsRegistry(
        now=int(time.time() if now is None else now),
        leeway=LEEWAY_SECONDS,
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": client_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(claims)
    except ExpiredTokenError:
        raise SignInRefused("the ID token has expired") from None
    except MissingClaimError as exc:
        raise SignInRefused(f"the ID token lacks a required claim ({_reason(exc)})") from None
    except InvalidClaimError as exc:
        raise SignInRefused(f"the ID token's claim is not valid ({_reason(exc)})") from None
    except JoseError as exc:
        raise SignInRefused(f"the ID token is not valid ({_reason(exc)})") from None
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise SignInRefused("the ID token has several audiences and its azp is not this server's client id")
    return claims


def _reason(exc: Exception) -> str:
    return str(getattr(exc, "description", "") or exc)[:200] or type(exc).__name__
