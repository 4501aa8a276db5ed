"""How an audit record is hashed, and the seal that starts the keyed chain on an older database.

A record's `hash` is the HMAC-SHA256, with the audit key (`core.audit_key`), of a canonical JSON of all its
other fields, `prev_hash` included. Records written before the key existed carry a plain SHA-256 of the same
JSON ("legacy"); the upgrade appends one keyed marker record (`KEYED_CHAIN_STARTED`) whose link is the last
legacy hash, so rewriting any legacy record breaks that keyed link. `verify_chain` checks the records before
the first marker as legacy and every record from it on with the key.

Times are stored and hashed at one precision, milliseconds, so a `dumpdata`/`loaddata` round trip (whose
JSON keeps milliseconds) gives back the same values and the chain still verifies.

The functions read attributes only, so the data migration can use them on its historical models.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone

from opencsms.core.audit_key import sign

KEYED_CHAIN_STARTED = "audit.keyed_chain_started"
SYSTEM_USERNAME = "opencsms-system"


def to_milliseconds(moment: datetime) -> datetime:
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def payload_text(entry: Any) -> str:
    """The canonical JSON of every field but `hash` (and the database id)."""
    payload = {
        "seq": entry.seq,
        "time": entry.time.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "scope": entry.scope,
        "before": entry.before,
        "after": entry.after,
        "reason": entry.reason,
        "correlation_id": entry.correlation_id,
        "prev_hash": entry.prev_hash,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def keyed_hash(entry: Any) -> str:
    return sign(payload_text(entry))


def legacy_hash(entry: Any) -> str:
    """The plain SHA-256 of records written before the audit key existed."""
    return hashlib.sha256(payload_text(entry).encode("utf-8")).hexdigest()


def head_text(seq: int, digest: str) -> str:
    return f"opencsms-audit-head:{seq}:{digest}"


def seal_legacy_chain(record_model: Any, head_model: Any, user_model: Any) -> int | None:
    """Append the keyed marker after unkeyed records (once); the marker's sequence number, or None."""
    head = head_model.objects.filter(pk=1).first()
    if head is None or head.seq == 0 or record_model.objects.filter(action=KEYED_CHAIN_STARTED).exists():
        return None
    system = user_model.objects.filter(username=SYSTEM_USERNAME).first()
    if system is None:
        system = user_model.objects.create(username=SYSTEM_USERNAME, is_active=False, is_superuser=True)
        system.password = "!"  # unusable: the system user never signs in  # noqa: S105
        system.save(update_fields=["password"])
    marker = record_model(
        seq=head.seq + 1,
        time=to_milliseconds(timezone.now()),
        actor_id=system.pk,
        actor_name=SYSTEM_USERNAME,
        action=KEYED_CHAIN_STARTED,
        object_type="core.changerecord",
        object_id="",
        object_repr="audit chain",
        scope="",
        before=None,
        after={"legacy_records": head.seq, "legacy_head": head.hash},
        reason=f"records #1 to #{head.seq} were hashed without a key; from here on every record is keyed",
        correlation_id="",
        prev_hash=head.hash,
    )
    marker.hash = keyed_hash(marker)
    marker.save(force_insert=True)
    head.seq, head.hash = marker.seq, marker.hash
    head.signature = sign(head_text(head.seq, head.hash))
    head.save(update_fields=["seq", "hash", "signature"])
    return int(marker.seq)
