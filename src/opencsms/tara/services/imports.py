"""TARA files imported in the background: a large file (20,000 threat scenarios is ~28 MB and takes about
half a minute to check and evaluate) would outlast a web request, so it is queued and the worker
(`opencsms worker`) imports it as the person who asked, through the same `import_tara` service.

A file larger than `settings.TARA_SYNC_IMPORT_MAX_BYTES` is queued even when sent to the synchronous import
(`import_or_queue`). While the worker runs an import it keeps the job's heartbeat fresh (core.leases); a
job still running whose heartbeat went silent lost its worker, and `sweep_imports` (run by the worker at
start and on a schedule, and when someone looks at the job) queues it once more or, on the second loss,
fails it with a message. The import is one transaction, so a lost run leaves nothing half-imported.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, transaction
from django.utils import timezone

from opencsms.core import audit, leases
from opencsms.core.audit import AuditAction, correlation
from opencsms.core.errors import DomainError
from opencsms.core.models import User
from opencsms.core.services import system_user
from opencsms.core.tasks import task
from opencsms.organisation import selectors as organisation_selectors
from opencsms.organisation.access import Perm, require
from opencsms.organisation.models import Level
from opencsms.tara import selectors
from opencsms.tara.models import ImportJob, ImportStatus, Tara
from opencsms.tara.services.documents import import_tara

MAX_ATTEMPTS = 2  # a job whose worker was lost twice is failed, not queued a third time


def import_or_queue(
    *, actor: User, project_id: int, raw: bytes, filename: str = "", replace: bool = False
) -> Tara | ImportJob:
    """Import a small file at once; queue one larger than `settings.TARA_SYNC_IMPORT_MAX_BYTES` for the
    worker (the pages and the synchronous import API use this; about 2 s per MB)."""
    if len(raw) > settings.TARA_SYNC_IMPORT_MAX_BYTES:
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


def _start(job_id: int) -> ImportJob | None:
    """Mark a queued job running (its first heartbeat); None when it is not queued any more."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().select_related("requested_by").get(pk=job_id)
        if job.status != ImportStatus.QUEUED:
            return None
        job.status, job.attempts = ImportStatus.RUNNING, job.attempts + 1
        job.started_at = job.heartbeat_at = timezone.now()
        job.save(update_fields=["status", "attempts", "started_at", "heartbeat_at"])
    return job


@task()
def run_import(job_id: int) -> str:
    """Import a queued file as the user who asked (their permission is checked again, now)."""
    job = _start(job_id)
    if job is None:
        return str(ImportJob.objects.get(pk=job_id).status)
    try:
        with correlation(f"tara-import-{job.pk}"), leases.heartbeat(job, "heartbeat_at"):
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
    except Exception:  # a defect: the job says so at once (not after the stale limit), the task records it
        job.status, job.error = ImportStatus.FAILED, "the import stopped on an unexpected error; see the logs"
        _finish(job)
        raise
    _finish(job)
    return str(job.status)


def _finish(job: ImportJob) -> None:
    job.raw, job.finished_at = b"", timezone.now()
    job.save(update_fields=["status", "tara", "error", "raw", "finished_at"])


def _stalled(job: ImportJob, actor: User) -> None:
    """Queue a job whose worker was lost once more, or fail it after `MAX_ATTEMPTS` losses (audited)."""
    name = job.filename or "the file"
    if job.attempts < MAX_ATTEMPTS:
        job.status, job.error = ImportStatus.QUEUED, ""
        transaction.on_commit(lambda: _enqueue(job.pk))
    else:
        job.status, job.finished_at, job.raw = ImportStatus.FAILED, timezone.now(), b""
        job.error = (
            f"the worker stopped while importing {name} ({job.attempts} times); "
            "start the import again, or check the worker's memory and logs"
        )
    job.save(update_fields=["status", "error", "finished_at", "raw"])
    audit.record(
        actor=actor,
        action=AuditAction.TARA_IMPORT_STALLED,
        obj=job,
        after={"status": job.status, "attempts": job.attempts, "error": job.error},
        scope=job.scope,
    )


@transaction.atomic
def sweep_imports(*, job_id: int | None = None) -> list[ImportJob]:
    """Jobs running without a heartbeat for longer than the limit lost their worker: queue each once more
    or fail it (all of them, or the one given). Rows another transaction holds are alive and skipped."""
    found = ImportJob.objects.filter(leases.silent("heartbeat_at"), status=ImportStatus.RUNNING)
    if job_id is not None:
        found = found.filter(pk=job_id)
    stalled = list(found.select_for_update(skip_locked=True).order_by("pk"))
    if stalled:
        actor = system_user()
        for job in stalled:
            _stalled(job, actor)
    return stalled


def sweep_project_imports(*, actor: User, project_id: int) -> None:
    """Before a project's imports are shown: each job still marked running is looked at through
    `import_job_status`, so one whose worker was lost shows queued again or failed at once."""
    project = organisation_selectors.level(actor, Level.PROJECT, project_id)
    running = ImportJob.objects.filter(project_id=project.pk, status=ImportStatus.RUNNING)
    for job_id in running.values_list("pk", flat=True):
        import_job_status(actor=actor, job_id=job_id)


def import_job_status(*, actor: User, job_id: int) -> ImportJob:
    """The job as someone looks at it: swept first, so a lost worker shows as such at once."""
    job = selectors.import_job(actor, job_id)
    if job.status != ImportStatus.RUNNING:
        return job
    try:
        if sweep_imports(job_id=job.pk):
            job.refresh_from_db()
    except DatabaseError:  # SQLite busy with another write: the worker's own sweep will see to it
        pass
    return job
