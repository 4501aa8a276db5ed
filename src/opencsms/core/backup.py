"""Backups of a whole installation in one archive, and their restore (`opencsms backup|restore`).

The archive is a gzipped tar with `manifest.json` (format, OpenCSMS version, database kind, row counts per
model, the audit chain's head), the database copy (`core.dbcopy`) and the uploaded files under `media/`
(`MEDIA_ROOT`). Restore refuses an archive of another database kind, and a database that holds data unless
forced; afterwards it verifies the audit chain (with this installation's audit key) and compares the
counts and the head with the manifest. It does not write to the audit trail: the restored chain must be
the backed-up one, so that its head can be compared.
"""

from __future__ import annotations

import io
import json
import tarfile
import tempfile
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from opencsms.core import dbcopy
from opencsms.core.audit import verify_chain
from opencsms.core.models import AuditChainHead

FORMAT = "opencsms-backup/1"
MANIFEST = "manifest.json"
MEDIA = "media"


class BackupError(RuntimeError):
    """A backup or restore refused or failed; the message names the problem. Nothing was changed."""


@dataclass
class Restored:
    manifest: dict[str, Any]
    media_files: int
    problems: list[str] = field(default_factory=list)


def _tables() -> dict[str, str]:
    """The table of each OpenCSMS model, by label."""
    return {
        model._meta.label_lower: model._meta.db_table
        for model in apps.get_models()
        if model.__module__.startswith("opencsms.")
    }


def counts() -> dict[str, int]:
    """Rows per OpenCSMS model whose table exists (an empty or unmigrated database has none)."""
    present = set(connection.introspection.table_names())
    return {
        label: apps.get_model(label)._default_manager.count()
        for label, table in _tables().items()
        if table in present
    }


def audit_head() -> dict[str, Any]:
    head = AuditChainHead.objects.filter(pk=1).first()
    return {"seq": head.seq, "hash": head.hash} if head else {"seq": 0, "hash": ""}


def create_backup(archive: Path) -> dict[str, Any]:
    """Write the database and the uploaded files to `archive`; returns the manifest."""
    kind = _kind()
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="opencsms-backup-") as work:
        database = Path(work) / dbcopy.DUMP_NAMES[kind]
        rows, head = _copy(kind, database)
        manifest = {
            "format": FORMAT,
            "version": version("opencsms"),
            "database": kind,
            "created": timezone.now().isoformat(timespec="seconds"),
            "counts": rows,
            "audit_head": head,
        }
        archive.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(archive, "w:gz") as tar:
            _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=2).encode("utf-8"))
            tar.add(database, arcname=database.name)
            if media_root.is_dir():
                tar.add(media_root, arcname=MEDIA)
    return manifest


def _copy(kind: str, database: Path) -> tuple[dict[str, int], dict[str, Any]]:
    """Copy the database; the counts and audit head of what the copy holds (not of later writes)."""
    if kind == dbcopy.SQLITE:
        _call(dbcopy.dump, database)
        return dbcopy.sqlite_rows(database, _tables())
    with transaction.atomic():  # pg_dump reads this transaction's snapshot (dbcopy.dump)
        _call(dbcopy.dump, database)
        return counts(), audit_head()


def read_manifest(archive: Path) -> dict[str, Any]:
    try:
        with tarfile.open(archive, "r:gz") as tar:
            member = tar.extractfile(MANIFEST)
            data = json.loads(member.read()) if member is not None else None
    except (OSError, tarfile.TarError, KeyError, json.JSONDecodeError) as exc:
        raise BackupError(f"{archive}: not a readable OpenCSMS backup ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BackupError(f"{archive}: not an OpenCSMS backup (no {MANIFEST} of format {FORMAT!r})")
    return data


def restore_backup(archive: Path, *, force: bool = False) -> Restored:
    """Replace the database and the uploaded files with the archive's, then check what came back."""
    manifest = read_manifest(archive)
    kind = _kind()
    if manifest.get("database") != kind:
        raise BackupError(f"the backup is of a {manifest.get('database')} database; this one is {kind}")
    present = {label: n for label, n in counts().items() if n}
    if present and not force:
        rows = sum(present.values())
        raise BackupError(f"the database is not empty ({rows} rows): pass --force to overwrite it")
    with (
        tempfile.TemporaryDirectory(prefix="opencsms-restore-") as work,
        tarfile.open(archive, "r:gz") as tar,
    ):
        name = dbcopy.DUMP_NAMES[kind]
        try:
            tar.extract(name, work, filter="data")
        except KeyError:
            raise BackupError(f"{archive}: the backup has no {name}") from None
        _call(dbcopy.load, Path(work) / name)
        media = _restore_media(tar, Path(work))
    return Restored(manifest=manifest, media_files=media, problems=_check(manifest))


def _restore_media(tar: tarfile.TarFile, work: Path) -> int:
    members = [m for m in tar.getmembers() if m.isfile() and m.name.startswith(f"{MEDIA}/")]
    tar.extractall(work, members=members, filter="data")  # refuses absolute paths and links out of `work`
    media_root = Path(settings.MEDIA_ROOT)
    for member in members:
        target = media_root / Path(member.name).relative_to(MEDIA)
        target.parent.mkdir(parents=True, exist_ok=True)
        (work / member.name).replace(target)
    return len(members)


def _check(manifest: dict[str, Any]) -> list[str]:
    problems = [f"audit chain: {problem}" for problem in verify_chain()]
    expected, found = manifest.get("counts", {}), counts()
    problems += [
        f"{label}: {found.get(label, 0)} rows restored, the backup had {count}"
        for label, count in expected.items()
        if found.get(label, 0) != count
    ]
    head, saved = audit_head(), manifest.get("audit_head", {})
    if (head["seq"], head["hash"]) != (saved.get("seq"), saved.get("hash")):
        problems.append(f"audit head: #{head['seq']} restored, the backup had #{saved.get('seq')}")
    return problems


def _kind() -> str:
    try:
        return dbcopy.kind()
    except dbcopy.CopyError as exc:
        raise BackupError(str(exc)) from None


def _call(step: Any, path: Path) -> None:
    try:
        step(path)
    except dbcopy.CopyError as exc:
        raise BackupError(str(exc)) from None


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime = len(data), int(timezone.now().timestamp())
    tar.addfile(info, io.BytesIO(data))
