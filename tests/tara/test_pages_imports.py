"""The status of background TARA imports on the project's TARA list: queued (the list asks again every
2 s), done (with the TARA), failed (with the error), a job whose worker was lost swept when the list is read
(queued once more, or failed with its message); the status partial is for the project's viewers only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from opencsms.tara.models import ImportJob, ImportStatus
from opencsms.tara.services import imports
from tests.factories.workspace import Workspace
from tests.paths import REFERENCE

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def _queue(workspace: Workspace, raw: bytes, filename: str = "big.tara.yaml") -> ImportJob:
    return imports.request_import(
        actor=workspace.users["engineer"], project_id=workspace.tree.project.pk, raw=raw, filename=filename,
        replace=True,
    )  # fmt: skip


def _row(html: str, job: ImportJob) -> str:
    start = html.index(f'data-job="{job.pk}"')
    return html[start : html.index("</tr>", start)]


def test_a_queued_import_shows_queued_and_the_list_asks_again(workspace: Workspace) -> None:
    job = _queue(workspace, REFERENCE.read_bytes())
    project = workspace.tree.project.pk
    listing = workspace.client("auditor").get(f"/projects/{project}/taras/", **HX).content.decode()
    assert ">queued</span>" in _row(listing, job)
    assert f'hx-get="/projects/{project}/taras/imports/" hx-trigger="every 2s"' in listing
    partial = workspace.client("engineer").get(f"/projects/{project}/taras/imports/", **HX).content.decode()
    assert "big.tara.yaml" in _row(partial, job)
    assert "<html" not in partial


def test_a_finished_import_shows_done_with_its_tara_and_stops_asking(workspace: Workspace) -> None:
    job = _queue(workspace, REFERENCE.read_bytes())
    assert imports.run_import.call(job.pk) == ImportStatus.DONE
    project = workspace.tree.project.pk
    partial = workspace.client("engineer").get(f"/projects/{project}/taras/imports/").content.decode()
    row = _row(partial, job)
    assert ">done</span>" in row
    assert f'href="/taras/{workspace.tara.pk}/"' in row
    assert "every 2s" not in partial


def test_a_failed_import_shows_its_error(workspace: Workspace) -> None:
    job = _queue(workspace, b"tara: [unclosed", filename="broken.tara.yaml")
    assert imports.run_import.call(job.pk) == ImportStatus.FAILED
    job.refresh_from_db()
    assert job.error
    project = workspace.tree.project.pk
    row = _row(workspace.client("engineer").get(f"/projects/{project}/taras/imports/").content.decode(), job)
    assert ">failed</span>" in row
    assert job.error.split("\n")[0][:40] in row


@pytest.mark.parametrize(
    ("path", "attempts", "shown", "error"),
    [
        ("taras/imports/", 2, ">failed</span>", "the worker stopped while importing big.tara.yaml (2 times)"),
        ("taras/", 2, ">failed</span>", "start the import again"),
        ("taras/imports/", 1, ">queued</span>", ""),
    ],
)
def test_a_job_whose_worker_was_lost_is_swept_when_the_list_is_read(
    workspace: Workspace, path: str, attempts: int, shown: str, error: str
) -> None:
    job = _queue(workspace, REFERENCE.read_bytes())
    lost = timezone.now() - timedelta(hours=1)
    running = {"status": ImportStatus.RUNNING, "attempts": attempts, "heartbeat_at": lost}
    ImportJob.objects.filter(pk=job.pk).update(**running)
    project = workspace.tree.project.pk
    row = _row(workspace.client("auditor").get(f"/projects/{project}/{path}", **HX).content.decode(), job)
    assert shown in row
    assert error in row
    job.refresh_from_db()
    assert job.status == shown[1 : shown.index("<")]


def test_the_import_status_is_for_the_projects_viewers_only(workspace: Workspace) -> None:
    _queue(workspace, REFERENCE.read_bytes())
    other = workspace.tree.other_project.pk
    assert workspace.client("engineer").get(f"/projects/{other}/taras/imports/").status_code == 404


def test_as_many_queries_for_5_imports_as_for_1(workspace: Workspace) -> None:
    client = workspace.client("engineer")
    path = f"/projects/{workspace.tree.project.pk}/taras/imports/"
    counts = []
    for _ in range(2):
        for _ in range(1 if not counts else 4):
            _queue(workspace, b"tara: queued")
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
