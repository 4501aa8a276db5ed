"""JSON posted to an operator's webhook (notifications, audit checkpoints), signed the one way receivers
check: `X-OpenCSMS-Signature: sha256=<hex HMAC-SHA256 of the body>` with the shared secret, when set."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import replace

from opencsms.core.outbound.client import post
from opencsms.core.outbound.policy import Policy, current

SIGNATURE_HEADER = "X-OpenCSMS-Signature"


def signature(body: bytes, secret: str) -> str:
    """`sha256=<hex HMAC-SHA256 of the body>`: the receiver recomputes it with the shared secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post_json(url: str, body: bytes, *, secret: str, timeout: float, policy: Policy | None = None) -> int:
    """POST the JSON `body` to `url` under the outbound policy (its time limit cut to `timeout` seconds),
    signed when `secret` is set: the answer's HTTP status; `Refused` when the policy or network refuses."""
    headers = {"Content-Type": "application/json"}
    if secret:
        headers[SIGNATURE_HEADER] = signature(body, secret)
    policy = policy or current()
    return post(url, body, headers, replace(policy, timeout=min(policy.timeout, timeout)))
