"""Signed checkpoints of the audit chain, kept outside the database.

A checkpoint is a small JSON file: the chain head's sequence number and hash when it was taken, and an
HMAC-SHA256 of both with the audit key. Keys and hashes alone cannot show that records were cut off the
end, or that the whole trail (head included) was deleted: the database then holds an older, or no, valid
chain. A checkpoint taken earlier can: the chain must still reach its record, with the same hash.

Written on demand (`opencsms audit checkpoint --to FILE`) and by `write_checkpoint_task`, which repeats
itself every `AUDIT_CHECKPOINT_MINUTES` into `AUDIT_CHECKPOINT_DIR` once started (`opencsms audit checkpoint
--schedule`). Copy that folder off the machine (backups, WORM storage) for the checkpoints to count.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from opencsms.core.audit_key import matches, sign
from opencsms.core.models import GENESIS_HASH, AuditChainHead, ChangeRecord
from opencsms.core.tasks import task

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
    path.write_text(json.dumps(checkpoint, indent=2) + "\n", encoding="utf-8")
    return checkpoint


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


TASK_PATH = "opencsms.core.checkpoints.write_checkpoint_task"


@task()
def write_checkpoint_task(repeat: bool = True) -> str:
    """Write a checkpoint into AUDIT_CHECKPOINT_DIR; enqueue the next one when it repeats."""
    checkpoint = take_checkpoint()
    folder = Path(settings.AUDIT_CHECKPOINT_DIR)
    name = f"checkpoint-{checkpoint['seq']:012d}-{timezone.now():%Y%m%dT%H%M%S}.json"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(json.dumps(checkpoint, indent=2) + "\n", encoding="utf-8")
    minutes = int(settings.AUDIT_CHECKPOINT_MINUTES)
    if repeat and minutes:
        write_checkpoint_task.using(run_after=timezone.now() + timedelta(minutes=minutes)).enqueue()
    return str(folder / name)


def schedule_checkpoints() -> tuple[str, bool]:
    """Start the repeating checkpoint task unless one is already waiting: (its id, whether it is new)."""
    waiting = (
        DBTaskResult.objects.filter(task_path=TASK_PATH, status__in=["READY", "RUNNING"])
        .values_list("id", flat=True)
        .first()
    )
    if waiting is not None:
        return str(waiting), False
    return str(write_checkpoint_task.enqueue().id), True


def _canonical(body: dict[str, Any]) -> str:
    return json.dumps(body, sort_keys=True, separators=(",", ":"))
