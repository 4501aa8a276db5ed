"""The one-time password algorithm (`core.totp`) against the test vectors of RFC 4226 (HOTP, appendix D) and
RFC 6238 (TOTP, appendix B, SHA-1), the drift window, the otpauth URI and recovery codes."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlsplit

import pytest

from opencsms.core import totp

RFC_KEY = b"12345678901234567890"  # the ASCII secret both RFCs use for SHA-1
RFC_SECRET = base64.b32encode(RFC_KEY).decode()

HOTP_VECTORS = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871",
                "520489"]  # fmt: skip


@pytest.mark.parametrize(("counter", "expected"), list(enumerate(HOTP_VECTORS)))
def test_hotp_matches_rfc_4226_appendix_d(counter: int, expected: str) -> None:
    assert totp.hotp(RFC_KEY, counter) == expected


@pytest.mark.parametrize(
    ("unix_time", "expected"),
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
        (20000000000, "65353130"),
    ],
)
def test_totp_matches_rfc_6238_appendix_b(unix_time: int, expected: str) -> None:
    assert totp.hotp(RFC_KEY, totp.step_at(unix_time), digits=8) == expected
    assert totp.code_at(RFC_SECRET, unix_time) == expected[-6:]  # 6 digits: the same number, modulo 10**6


def test_a_code_matches_its_step_and_one_either_side_only() -> None:
    now = 1_700_000_000.0
    step = totp.step_at(now)
    for offset in (-1, 0, 1):
        code = totp.code_at(RFC_SECRET, now + offset * totp.STEP_SECONDS)
        assert totp.matching_step(RFC_SECRET, code, now=now) == step + offset
    for offset in (-2, 2):
        code = totp.code_at(RFC_SECRET, now + offset * totp.STEP_SECONDS)
        assert totp.matching_step(RFC_SECRET, code, now=now) is None


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "12 34 5x"])
def test_malformed_codes_match_nothing(code: str) -> None:
    assert totp.matching_step(RFC_SECRET, code, now=59) is None


def test_a_code_typed_with_a_space_matches() -> None:
    code = totp.code_at(RFC_SECRET, 59)
    assert totp.matching_step(RFC_SECRET, f"{code[:3]} {code[3:]}", now=59) == 1


def test_new_secrets_are_160_bit_base32_and_differ() -> None:
    first, second = totp.new_secret(), totp.new_secret()
    assert first != second
    assert len(base64.b32decode(first + "=" * (-len(first) % 8))) == totp.SECRET_BYTES


def test_the_otpauth_uri_names_issuer_account_and_secret() -> None:
    uri = totp.otpauth_uri("ABCDEFGH", account="dora@example.org", issuer="OpenCSMS")
    parts = urlsplit(uri)
    assert (parts.scheme, parts.netloc, parts.path) == ("otpauth", "totp", "/OpenCSMS:dora@example.org")
    query = parse_qs(parts.query)
    assert query["secret"] == ["ABCDEFGH"]
    assert query["issuer"] == ["OpenCSMS"]
    assert (query["digits"], query["period"]) == (["6"], ["30"])


def test_recovery_codes_are_random_and_their_digest_ignores_case_and_dashes() -> None:
    codes = {totp.new_recovery_code() for _ in range(20)}
    assert len(codes) == 20
    code = codes.pop()
    assert len(code) == 11
    assert code[5] == "-"
    assert totp.recovery_digest(code) == totp.recovery_digest(code.lower().replace("-", " "))
    assert totp.recovery_digest(code) != totp.recovery_digest(codes.pop())
