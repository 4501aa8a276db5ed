"""Background TARA imports survive a lost worker: a heartbeat while they run, a sweep that queues a silent
job once more and fails it after a second loss, and a large file sent to the synchronous import queued."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from typer.testing import CliRunner

from opencsms.cli.main import app
from opencsms.core import leases
from opencsms.core.audit import AuditAction
from opencsms.core.models import ChangeRecord
from opencsms.core.services import SYSTEM_USERNAME
from opencsms.organisation.models import Role
from opencsms.tara import services
from opencsms.tara.models import ImportJob, ImportStatus, Tara
from tests.factories.core import make_user
from tests.factories.organisation import Tree, make_membership, make_tree
from tests.tara.conftest import REFERENCE

pytestmark = pytest.mark.django_db(transaction=True)


def _run_worker() -> None:
    outcome = CliRunner().invoke(app, ["worker", "--batch", "--no-startup-delay"])
    assert outcome.exit_code == 0, outcome.output


def _engineer(tree: Tree) -> Client:
    engineer = make_user("importer")
    make_membership(engineer, tree.project, Role.ENGINEER)
    client = Client()
    client.force_login(engineer)
    return client


def _lost(job: ImportJob, attempts: int) -> None:
    """As if a worker started the job and was killed an hour ago (its task row left running too)."""
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.RUNNING, attempts=attempts, heartbeat_at=timezone.now() - timedelta(hours=1)
    )
    DBTaskResult.objects.update(status="RUNNING")


def _queue(tree: Tree, client: Client) -> ImportJob:
    with REFERENCE.open("rb") as file:
        queued = client.post(f"/api/v1/projects/{tree.project.pk}/tara-imports", {"file": file})
    assert queued.status_code == 202, queued.content
    return ImportJob.objects.get(pk=queued.json()["id"])


def test_a_job_whose_worker_was_lost_is_queued_again_and_done_at_the_next_start() -> None:
    tree = make_tree()
    client = _engineer(tree)
    job = _queue(tree, client)
    _lost(job, attempts=1)
    _run_worker()  # the sweep at start queues it once more; the worker then imports it
    done = client.get(f"/api/v1/tara-imports/{job.pk}").json()
    assert (done["status"], done["attempts"], done["error"]) == ("done", 2, "")
    assert Tara.objects.get(pk=done["tara_id"]).summary["counts"]["threat_scenarios"] == 60
    stalled = ChangeRecord.objects.get(action=AuditAction.TARA_IMPORT_STALLED)
    assert (stalled.actor.username, stalled.after["status"]) == (SYSTEM_USERNAME, "queued")


def test_a_second_loss_fails_the_job_with_a_message_when_it_is_read() -> None:
    tree = make_tree()
    client = _engineer(tree)
    job = _queue(tree, client)
    _lost(job, attempts=2)
    failed = client.get(f"/api/v1/tara-imports/{job.pk}").json()  # reading it sweeps it
    assert failed["status"] == "failed"
    assert failed["error"].startswith("the worker stopped while importing connected-ev.tara.yaml (2 times)")
    assert "start the import again" in failed["error"]
    assert failed["finished_at"] is not None
    assert services.sweep_imports() == []  # already failed: nothing more to do
    assert not Tara.objects.exists()


def test_a_job_with_a_fresh_heartbeat_is_left_running(settings: Any) -> None:
    tree = make_tree()
    job = _queue(tree, _engineer(tree))
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, heartbeat_at=timezone.now())
    assert services.sweep_imports() == []
    settings.JOBS = {**settings.JOBS, "stale_seconds": 0.001}
    time.sleep(0.01)
    assert [j.pk for j in services.sweep_imports()] == [job.pk]


def test_the_heartbeat_is_refreshed_while_the_work_runs() -> None:
    tree = make_tree()
    job = _queue(tree, _engineer(tree))
    before = timezone.now() - timedelta(hours=1)
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=before)
    with leases.heartbeat(job, "heartbeat_at", every=0.05):
        time.sleep(0.5)
    job.refresh_from_db()
    assert job.heartbeat_at is not None
    assert job.heartbeat_at > before + timedelta(minutes=59)


def test_a_large_synchronous_import_answers_202_and_the_worker_does_it(settings: Any) -> None:
    settings.TARA_SYNC_IMPORT_MAX_BYTES = 1000
    tree = make_tree()
    client = _engineer(tree)
    with REFERENCE.open("rb") as file:
        accepted = client.post(f"/api/v1/projects/{tree.project.pk}/taras", {"file": file})
    assert accepted.status_code == 202, accepted.content
    job = accepted.json()
    assert accepted["Location"] == job["url"] == f"/api/v1/tara-imports/{job['id']}"
    assert (job["status"], job["tara_id"]) == ("queued", None)
    assert not Tara.objects.exists()
    _run_worker()
    done = client.get(job["url"]).json()
    assert (done["status"], done["attempts"]) == ("done", 1)
    assert done["heartbeat_at"] is not None
    settings.TARA_SYNC_IMPORT_MAX_BYTES = REFERENCE.stat().st_size  # not larger: imported at once
    with REFERENCE.open("rb") as file:
        at_once = client.post(f"/api/v1/projects/{tree.project.pk}/taras", {"file": file, "replace": "true"})
    assert at_once.status_code == 201, at_once.content


def test_an_unexpected_error_fails_the_job_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from opencsms.tara.services import imports

    tree = make_tree()
    job = _queue(tree, _engineer(tree))

    def broken(**kwargs: Any) -> Tara:
        raise RuntimeError("a defect")

    monkeypatch.setattr(imports, "import_tara", broken)
    with pytest.raises(RuntimeError):
        imports.run_import.call(job.pk)
    job.refresh_from_db()
    assert (job.status, job.attempts) == (ImportStatus.FAILED, 1)
    assert job.error == "the import stopped on an unexpected error; see the logs"
    assert services.sweep_imports() == []


@pytest.mark.postgres_only
def test_a_job_whose_row_is_held_by_a_live_transaction_is_not_swept() -> None:
    """PostgreSQL: the worker's open transaction on the job's row shows it is alive, heartbeat or not."""
    import threading

    from django.db import connection, transaction

    tree = make_tree()
    job = _queue(tree, _engineer(tree))
    _lost(job, attempts=1)
    locked, release = threading.Event(), threading.Event()

    def live_worker() -> None:
        try:
            with transaction.atomic():
                ImportJob.objects.select_for_update().get(pk=job.pk)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=live_worker)
    thread.start()
    try:
        assert locked.wait(10)
        assert services.sweep_imports() == []
    finally:
        release.set()
        thread.join()
    assert [j.pk for j in services.sweep_imports()] == [job.pk]  # the transaction ended: now it is lost
