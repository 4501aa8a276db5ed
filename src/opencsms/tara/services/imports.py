"""TARA files imported in the background: a large file (20,000 threat scenarios is ~28 MB and takes about
half a minute to check and evaluate) would outlast a web request, so it is queued and the worker
(`opencsms worker`) imports it as the person who asked, through the same `import_tara` service.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from opencsms.core import audit
from opencsms.core.audit import AuditAction, correlation
from opencsms.core.errors import DomainError
from opencsms.core.models import User
from opencsms.core.tasks import task
from opencsms.organisation import selectors as organisation_selectors
from opencsms.organisation.access import Perm, require
from opencsms.organisation.models import Level
from opencsms.tara.models import ImportJob, ImportStatus, Tara
from opencsms.tara.services.documents import import_tara

BACKGROUND_FROM_BYTES = 2 * 1024 * 1024  # larger files are imported by the worker (about 2 s per MB)


def import_or_queue(
    *, actor: User, project_id: int, raw: bytes, filename: str = "", replace: bool = False
) -> Tara | ImportJob:
    """Import a small file at once; queue a large one for the worker (the web pages use this)."""
    if len(raw) >= BACKGROUND_FROM_BYTES:
        return request_import(actor=actor, project_id=project_id, raw=raw, filename=filename, replace=replace)
    return import_tara(actor=actor, project_id=project_id, raw=raw, filename=filename, replace=replace)


@transaction.atomic
def request_import(
    *, actor: User, project_id: int, raw: bytes, filename: str = "", replace: bool = False
) -> ImportJob:
    """Queue the import of a TARA file into a project; `run_import` does it in the worker."""
    project = organisation_selectors.level(actor, Level.PROJECT, project_id)
    require(actor, Perm.EDIT, project)
    job = ImportJob.objects.create(
        project_id=project.pk, requested_by=actor, filename=filename, raw=raw, size=len(raw), replace=replace
    )
    audit.record(
        actor=actor,
        action=AuditAction.TARA_IMPORT_REQUESTED,
        obj=job,
        after={"filename": filename, "size": len(raw), "replace": replace},
        scope=job.scope,
    )
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    result = run_import.enqueue(job_id)
    ImportJob.objects.filter(pk=job_id).update(task_id=str(result.id))


@task()
def run_import(job_id: int) -> str:
    """Import a queued file as the user who asked (their permission is checked again, now)."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().select_related("requested_by").get(pk=job_id)
        if job.status != ImportStatus.QUEUED:
            return str(job.status)
        job.status = ImportStatus.RUNNING
        job.save(update_fields=["status"])
    try:
        with correlation(f"tara-import-{job.pk}"):
            tara = import_tara(
                actor=job.requested_by,
                project_id=job.project_id,
                raw=bytes(job.raw),
                filename=job.filename,
                replace=job.replace,
            )
        job.status, job.tara, job.error = ImportStatus.DONE, tara, ""
    except (DomainError, PermissionDenied) as exc:
        job.status, job.error = ImportStatus.FAILED, getattr(exc, "detail", str(exc))
    job.raw, job.finished_at = b"", timezone.now()
    job.save(update_fields=["status", "tara", "error", "raw", "finished_at"])
    return str(job.status)
