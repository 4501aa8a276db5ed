"""A small OpenID provider for tests: a threaded HTTP server on 127.0.0.1 (a random port) with discovery,
authorize (consents at once and answers a code), token (checks the code, once, the PKCE verifier, the
redirect URI and the client's secret, sent as HTTP Basic), JWKS and userinfo. ID tokens are signed RS256
with a key made at start (joserfc).

`Provider.person` is who signs in at the provider; `Provider.tamper` overrides claims of the next ID tokens
(a wrong nonce, audience or expiry), `Provider.rogue_key` signs them with a key it does not publish (under
the rogue key's id, which may be the published one: a forged token). `Provider.key` may be replaced (a key
rotation); the JWKS publishes the current one.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, parse_qsl, unquote, urlencode, urlsplit

from django.test import Client
from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_ID = "opencsms-test"
CLIENT_SECRET = "provider-test-secret-" + "x" * 16
KEY_ID = "test-key-1"


class Provider:
    """The provider's state; the handler reads it (one provider per server)."""

    def __init__(self) -> None:
        self.base_url = ""
        self.key = RSAKey.generate_key(2048, parameters={"kid": KEY_ID, "use": "sig", "alg": "RS256"})
        self.rogue_key: RSAKey | None = None
        self.person: dict[str, Any] = {"sub": "p-1", "email": "alice@example.com", "email_verified": True}
        self.tamper: dict[str, Any] = {}
        self.codes: dict[str, dict[str, Any]] = {}
        self.refusals: list[str] = []  # why the token endpoint refused, for the tests to read
        self.access_tokens: dict[str, dict[str, Any]] = {}

    def discovery(self) -> dict[str, Any]:
        base = self.base_url
        return {
            "issuer": base,
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token",
            "jwks_uri": f"{base}/jwks",
            "userinfo_endpoint": f"{base}/userinfo",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        }

    def authorize(self, query: dict[str, str]) -> tuple[int, str]:
        """(status, Location or reason): a code for the redirect URI, with the state sent back."""
        if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
            return 400, "unknown client or not the code flow"
        if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            return 400, "PKCE S256 is required"
        code = secrets.token_urlsafe(16)
        self.codes[code] = {**query, "person": dict(self.person)}
        answer = urlencode({"code": code, "state": query.get("state", "")})
        return 302, f"{query['redirect_uri']}?{answer}"

    def token(self, form: dict[str, str], authorization: str) -> tuple[int, dict[str, Any]]:
        problem = self._token_problem(form, authorization)
        if problem:
            self.refusals.append(problem)
            return 400, {"error": "invalid_grant", "error_description": problem}
        request = self.codes.pop(form["code"])
        now = int(time.time())
        person = request["person"]
        claims = {"iss": self.base_url, "aud": CLIENT_ID, "iat": now, "exp": now + 300,
                  "nonce": request.get("nonce", ""), **person, **self.tamper}  # fmt: skip
        key = self.rogue_key or self.key
        id_token = jwt.encode({"alg": "RS256", "kid": key.kid or KEY_ID}, claims, key)
        access_token = secrets.token_urlsafe(16)
        self.access_tokens[access_token] = person
        return 200, {"access_token": access_token, "token_type": "Bearer", "id_token": id_token,
                     "expires_in": 300}  # fmt: skip

    def _token_problem(self, form: dict[str, str], authorization: str) -> str:
        scheme, _, encoded = authorization.partition(" ")
        client = base64.b64decode(encoded or "Og==").decode() if scheme == "Basic" else ":"
        client_id, _, secret = client.partition(":")
        if (unquote(client_id), unquote(secret)) != (CLIENT_ID, CLIENT_SECRET):
            return "wrong client credentials"
        request = self.codes.get(form.get("code", ""))
        if form.get("grant_type") != "authorization_code" or request is None:
            return "unknown or used code"
        if form.get("redirect_uri") != request["redirect_uri"]:
            return "redirect_uri differs"
        verifier = form.get("code_verifier", "").encode()
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).decode().rstrip("=")
        if challenge != request["code_challenge"]:
            return "PKCE verifier does not match"
        return ""

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.key.as_dict(private=False)]}


class _Handler(BaseHTTPRequestHandler):
    provider: Provider

    def _json(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query))
        if parts.path == "/.well-known/openid-configuration":
            self._json(200, self.provider.discovery())
        elif parts.path == "/jwks":
            self._json(200, self.provider.jwks())
        elif parts.path == "/authorize":
            status, where = self.provider.authorize(query)
            self.send_response(status)
            self.send_header("Location" if status == 302 else "X-Reason", where)
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif parts.path == "/userinfo":
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            person = self.provider.access_tokens.get(token)
            self._json(200 if person else 401, person or {"error": "invalid_token"})
        else:
            self._json(404, {"error": "not_found"})

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
        if urlsplit(self.path).path != "/token":
            self._json(404, {"error": "not_found"})
            return
        status, answer = self.provider.token(dict(parse_qsl(body)), self.headers.get("Authorization", ""))
        self._json(status, answer)

    def log_message(self, *args: Any) -> None:
        return


@contextmanager
def running_provider() -> Iterator[Provider]:
    """A fresh provider serving on http://127.0.0.1:<random port> (its `base_url`, the issuer)."""
    provider = Provider()
    handler = type("Handler", (_Handler,), {"provider": provider})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    provider.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()


def sso_settings(provider: Provider, **overrides: Any) -> dict[str, Any]:
    """`settings.OIDC` for this provider."""
    return {
        "issuer": provider.base_url,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "create_users": False,
        "button_label": "Test ID",
        "only": False,
        "superuser_password": True,
        "base_url": "",
        **overrides,
    }


def _provider_answer(url: str) -> str:
    """The provider's answer to the browser at its authorization URL: where it sends the browser back."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    connection.request("GET", f"{parts.path}?{parts.query}")
    answer = connection.getresponse()
    assert answer.status == 302, answer.getheader("X-Reason")
    return answer.getheader("Location") or ""


def sign_in_at_provider(client: Client, idp: Provider, *, state: str | None = None) -> Any:
    """The test client starts a single sign-on, the provider answers, the client brings the answer back
    (with another `state` if given): the callback's response."""
    start = client.get("/login/sso/", {"next": "/account/"})
    assert start.status_code == 302
    assert start["Location"].startswith(f"{idp.base_url}/authorize?")
    back = urlsplit(_provider_answer(start["Location"]))
    assert f"http://testserver{back.path}" == "http://testserver/login/sso/callback/"
    query = {name: values[0] for name, values in parse_qs(back.query).items()}
    if state is not None:
        query["state"] = state
    return client.get(back.path, query)


def signed_in(client: Client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value else None
