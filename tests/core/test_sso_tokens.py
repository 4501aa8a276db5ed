"""The ID token's checks without a provider (core.oidc.tokens): a token signed with the provider's key
passes; one without a signature (`alg: none`) or signed with a shared secret (HS256, keyed with the public
key's bytes, the classic confusion) is refused, as is one missing `sub` or `iat`."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, OctKey, RSAKey

from opencsms.core.oidc.provider import SignInRefused
from opencsms.core.oidc.tokens import verify_id_token

ISSUER, CLIENT, NONCE = "https://id.example", "opencsms", "n-1"
KEY = RSAKey.generate_key(2048, parameters={"kid": "k1"})
PUBLISHED = KeySet.import_key_set({"keys": [KEY.as_dict(private=False)]})


def _claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": CLIENT, "sub": "p-1", "iat": now, "exp": now + 300, "nonce": NONCE}
    return {name: value for name, value in {**claims, **changes}.items() if value is not None}


def _verify(token: str) -> dict[str, Any]:
    return verify_id_token(token, PUBLISHED, issuer=ISSUER, client_id=CLIENT, nonce=NONCE)


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def test_a_token_signed_by_the_provider_passes() -> None:
    token = jwt.encode({"alg": "RS256", "kid": "k1"}, _claims(), KEY)
    assert _verify(token)["sub"] == "p-1"


def test_an_unsigned_token_is_refused() -> None:
    token = f"{_b64({'alg': 'none', 'kid': 'k1'})}.{_b64(_claims())}."
    with pytest.raises(SignInRefused, match="signature is not valid"):
        _verify(token)


def test_a_token_signed_with_a_shared_secret_is_refused() -> None:
    secret = OctKey.import_key(json.dumps(KEY.as_dict(private=False)).encode())
    token = jwt.encode({"alg": "HS256", "kid": "k1"}, _claims(), secret)
    with pytest.raises(SignInRefused, match="signature is not valid"):
        _verify(token)


@pytest.mark.parametrize("claim", ["sub", "iat", "exp", "nonce", "aud", "iss"])
def test_a_token_without_a_required_claim_is_refused(claim: str) -> None:
    token = jwt.encode({"alg": "RS256", "kid": "k1"}, _claims(**{claim: None}), KEY)
    with pytest.raises(SignInRefused, match=f"lacks a required claim .*'{claim}'"):
        _verify(token)
