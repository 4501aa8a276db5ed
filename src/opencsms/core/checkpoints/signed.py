"""Signed checkpoints of the audit chain, kept outside the database.

A checkpoint is a small JSON file: the chain head's sequence number and hash when it was taken, and an
HMAC-SHA256 of both with the audit key. Keys and hashes alone cannot show that records were cut off the
end, or that the whole trail (head included) was deleted: the database then holds an older, or no, valid
chain. A checkpoint taken earlier can: the chain must still reach its record, with the same hash.

Written on demand (`opencsms audit checkpoint --to FILE`), and delivered to the operator's targets (a folder,
mail addresses, a webhook) on a schedule and on demand by `core.checkpoints.delivery`. A checkpoint counts
only once it is off this machine (another host, WORM storage, a mailbox).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.utils import timezone

from opencsms.core.audit_key import matches, sign
from opencsms.core.models import GENESIS_HASH, AuditChainHead, ChangeRecord

FORMAT = "opencsms-audit-checkpoint/1"


def take_checkpoint() -> dict[str, Any]:
    """The signed head of the chain now."""
    head = AuditChainHead.objects.filter(pk=1).first()
    seq, digest = (head.seq, head.hash) if head is not None else (0, GENESIS_HASH)
    taken = timezone.now().isoformat(timespec="seconds")
    body = {"format": FORMAT, "seq": seq, "hash": digest, "taken": taken}
    return {**body, "signature": sign(_canonical(body))}


def write_checkpoint(path: Path) -> dict[str, Any]:
    """Write the signed head to `path` (its folder made if missing); returns what was written."""
    checkpoint = take_checkpoint()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(checkpoint_text(checkpoint), encoding="utf-8")
    return checkpoint


def checkpoint_text(checkpoint: dict[str, Any]) -> str:
    """The checkpoint as it is written to a file, mailed and posted (`read_checkpoint` reads it back)."""
    return json.dumps(checkpoint, indent=2) + "\n"


def file_name(checkpoint: dict[str, Any]) -> str:
    """`checkpoint-<seq, zero-padded>-<when taken>.json`: a folder's names sort oldest first."""
    taken = str(checkpoint["taken"])[:19].replace("-", "").replace(":", "")
    return f"checkpoint-{checkpoint['seq']:012d}-{taken}.json"


def read_checkpoint(path: Path) -> dict[str, Any]:
    """The checkpoint in `path` (a folder: its latest); ValueError naming the problem."""
    if path.is_dir():
        written = sorted(path.glob("checkpoint-*.json"))
        if not written:
            raise ValueError(f"{path}: the folder holds no checkpoint-*.json")
        path = written[-1]  # names start with the zero-padded sequence number, then the time
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: not a readable checkpoint ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"{path}: not an audit checkpoint (format {FORMAT!r} expected)")
    if not isinstance(data.get("seq"), int) or not isinstance(data.get("hash"), str):
        raise ValueError(f"{path}: the checkpoint has no sequence number and hash")
    return data


def checkpoint_problems(checkpoint: dict[str, Any]) -> list[str]:
    """What the database's chain lost against `checkpoint`: truncation, rewriting or deletion."""
    body = {key: value for key, value in checkpoint.items() if key != "signature"}
    if not matches(_canonical(body), str(checkpoint.get("signature", ""))):
        return ["the checkpoint is not signed with this installation's audit key (forged or foreign)"]
    seq, taken = checkpoint["seq"], checkpoint.get("taken", "?")
    if seq == 0:
        return []
    last = ChangeRecord.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    found = ChangeRecord.objects.filter(seq=seq).values_list("hash", flat=True).first()
    if found is None and last < seq:
        what = "the chain is empty" if last == 0 else f"the chain ends at record #{last}"
        return [f"{what} but the checkpoint of {taken} saw record #{seq} (records deleted: truncated)"]
    if found is None:
        return [f"record #{seq}, seen by the checkpoint of {taken}, is missing (deleted)"]
    if found != checkpoint["hash"]:
        return [f"record #{seq} differs from the checkpoint of {taken} (the chain was rewritten)"]
    return []


def _canonical(body: dict[str, Any]) -> str:
    return json.dumps(body, sort_keys=True, separators=(",", ":"))
