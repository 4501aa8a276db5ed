"""The audit trail's secret key, kept outside the database, and the HMAC-SHA256 made with it.

Someone who can write to the database can recompute plain SHA-256 hashes after editing or deleting
records; they cannot recompute an HMAC without this key. Where it comes from (settings.py):

- `OPENCSMS_AUDIT_KEY`: the key itself (at least 32 characters);
- `OPENCSMS_AUDIT_KEY_FILE`: a file holding it (kept on another volume, readable only by the service);
- neither, in dev and test: `var/audit.key`, generated with 32 random bytes on first use (never in git).
  Production refuses to sign without a configured key rather than invent one nobody has backed up.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

MIN_KEY_LENGTH = 32


def sign(text: str) -> str:
    """HMAC-SHA256 hex of `text` with the audit key."""
    return hmac.new(audit_key(), text.encode("utf-8"), hashlib.sha256).hexdigest()


def matches(text: str, signature: str) -> bool:
    return hmac.compare_digest(sign(text), signature)


def check_audit_key(**_: object) -> list[checks.CheckMessage]:
    """A Django system check (run by `migrate`, `serve` and `check`): the key must load before any write."""
    try:
        audit_key()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="opencsms.E001")]
    return []


def audit_key() -> bytes:
    return _load(settings.AUDIT_KEY, str(settings.AUDIT_KEY_FILE), bool(settings.AUDIT_KEY_GENERATE))


@lru_cache(maxsize=4)
def _load(key: str, file: str, generate: bool) -> bytes:
    if key:
        return key.encode("utf-8")
    path = Path(file)
    if not path.exists():
        if not generate:
            raise ImproperlyConfigured(
                f"the audit key file {path} does not exist: set OPENCSMS_AUDIT_KEY or OPENCSMS_AUDIT_KEY_FILE"
            )
        _generate(path)
    text = path.read_text(encoding="utf-8").strip()
    if len(text) < MIN_KEY_LENGTH:
        raise ImproperlyConfigured(f"the audit key in {path} is shorter than {MIN_KEY_LENGTH} characters")
    return text.encode("utf-8")


def _generate(path: Path) -> None:
    """Write a new random key, readable by its owner only; a racing process that linked first wins."""
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(secrets.token_hex(32) + "\n")
    try:
        os.link(draft, path)  # whole or not at all: no reader ever sees a half-written key
    except FileExistsError:
        pass
    finally:
        draft.unlink()
