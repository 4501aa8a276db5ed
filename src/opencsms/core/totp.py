"""One-time passwords of the second sign-in factor: HOTP (RFC 4226) and TOTP (RFC 6238), with the standard
library's `hmac` (SHA-1, 6 digits, 30-second steps: what every authenticator app uses by default).

Implemented here rather than taken from a package: the algorithm is a dozen lines, checked against the RFCs'
test vectors (tests/core/test_totp.py), and what the sign-in needs beyond it (which step a code matched, so
that a code cannot be used twice) a package would leave to us anyway.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from urllib.parse import quote, urlencode

STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1  # a code of the step before or after the current one is accepted too (clock drift)
SECRET_BYTES = 20  # 160 bits, the length RFC 4226 recommends for HMAC-SHA-1


def new_secret() -> str:
    """A random secret as base32 without padding (what authenticator apps accept typed in)."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii").rstrip("=")


def _key(secret: str) -> bytes:
    text = secret.replace(" ", "").upper()
    return base64.b32decode(text + "=" * (-len(text) % 8))


def hotp(key: bytes, counter: int, *, digits: int = DIGITS, digest: str = "sha1") -> str:
    """RFC 4226 section 5.3: HMAC of the 8-byte counter, dynamically truncated to `digits` decimal digits."""
    mac = hmac.new(key, counter.to_bytes(8, "big"), digest).digest()
    offset = mac[-1] & 0x0F
    number = int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def step_at(unix_time: float) -> int:
    """RFC 6238 section 4.2: the number of whole time steps since the Unix epoch."""
    return int(unix_time // STEP_SECONDS)


def code_at(secret: str, unix_time: float) -> str:
    """The code an authenticator app shows at `unix_time` for this base32 secret."""
    return hotp(_key(secret), step_at(unix_time))


def matching_step(secret: str, code: str, *, now: float | None = None) -> int | None:
    """The time step (current, or one either side) whose code is `code`, or None (constant-time compare)."""
    code = code.replace(" ", "")
    if len(code) != DIGITS or not code.isdigit():
        return None
    current = step_at(time.time() if now is None else now)
    key = _key(secret)
    found = None
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(hotp(key, step), code):
            found = step
    return found


def otpauth_uri(secret: str, *, account: str, issuer: str) -> str:
    """The `otpauth://totp/...` URI an authenticator app reads (Key Uri Format, as Google Authenticator's)."""
    label = quote(f"{issuer}:{account}", safe=":@")
    query = urlencode({"secret": secret, "issuer": issuer, "algorithm": "SHA1", "digits": DIGITS,
                       "period": STEP_SECONDS})  # fmt: skip
    return f"otpauth://totp/{label}?{query}"


def new_recovery_code() -> str:
    """A one-time recovery code: 10 base32 characters (50 bits) in two groups, e.g. `K7QPM-2XWZA`."""
    text = base64.b32encode(secrets.token_bytes(7)).decode("ascii")[:10]
    return f"{text[:5]}-{text[5:]}"


def recovery_digest(code: str) -> str:
    """What is stored of a recovery code: SHA-256 of its normalised form (case, spaces and dashes ignored)."""
    normal = code.replace("-", "").replace(" ", "").upper()
    return hashlib.sha256(normal.encode("ascii", "replace")).hexdigest()
