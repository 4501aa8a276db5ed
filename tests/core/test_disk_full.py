"""An upload that meets a full disk answers 507 naming the problem, logs it with the request id, writes
nothing and leaves no temporary file: proven on a real full filesystem (a 1 MiB tmpfs mounted for the test;
the tests run as root, and a refused mount fails the test rather than skip it)."""

from __future__ import annotations

import errno
import logging
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from opencsms.core.disk_full import is_disk_full
from opencsms.core.models import ChangeRecord
from opencsms.organisation.models import Project
from opencsms.tara.models import ImportJob, Tara
from opencsms.vulns.models import Advisory, Release
from tests.factories.core import make_admin
from tests.factories.organisation import make_tree

pytestmark = pytest.mark.django_db
BIG = 3 * 1024 * 1024  # over FILE_UPLOAD_MAX_MEMORY_SIZE (2.5 MB): Django writes it to a temporary file


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MiB tmpfs as the upload folder: a 3 MiB upload fills it and the next write fails (ENOSPC)."""
    folder = tmp_path / "uploads"
    folder.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)], check=True)
    try:
        with override_settings(FILE_UPLOAD_TEMP_DIR=str(folder)):
            yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def state() -> tuple[int, ...]:
    models = (ChangeRecord, Tara, ImportJob, Release, Advisory)
    return tuple(model.objects.count() for model in models)


def upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"{" + b" " * BIG + b"}", content_type="application/json")


def api_calls(project: Project) -> list[tuple[str, dict[str, object]]]:
    p = project.pk
    return [
        (f"/api/v1/projects/{p}/taras", {"file": upload("vehicle.tara.yaml")}),
        (f"/api/v1/projects/{p}/tara-imports", {"file": upload("vehicle.tara.yaml")}),
        (f"/api/v1/projects/{p}/releases", {"file": upload("sbom.json"), "name": "ecu", "version": "1"}),
        (f"/api/v1/projects/{p}/advisories", {"file": upload("osv.json")}),
    ]


def test_api_uploads_on_a_full_disk_answer_507_and_write_nothing(
    full_disk: Path, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client()
    client.force_login(make_admin())
    tree = make_tree()
    before = state()
    for number, (url, data) in enumerate(api_calls(tree.project)):
        request_id = f"full-disk-{number}"
        caplog.clear()
        with caplog.at_level(logging.ERROR, logger="opencsms.disk"):
            answer = client.post(url, data, HTTP_X_REQUEST_ID=request_id)
        assert answer.status_code == 507, (url, answer.content[:300])
        body = answer.json()
        assert body["code"] == "disk_full"
        assert body["detail"] == (
            "the server's disk is full: what was sent could not be stored and nothing was saved; "
            f"tell the operator (request id {request_id})"
        )
        [logged] = [r.getMessage() for r in caplog.records if r.name == "opencsms.disk"]
        assert logged.startswith(f"disk full: POST {url} answered 507 (request id {request_id}): ")
        assert "No space left on device" in logged
        assert list(full_disk.iterdir()) == []  # the temporary file removed at once
    assert state() == before


def test_page_uploads_on_a_full_disk_answer_a_507_page_when_the_csrf_check_reads_the_form(
    full_disk: Path,
) -> None:
    """In the browser the CSRF check reads the form before the view (handler500's path); the test client
    without CSRF checks reaches the view first (the middleware's path): both answer 507."""
    tree = make_tree()
    p = tree.project.pk
    pages = [
        (f"/projects/{p}/taras/import/", {"file": upload("vehicle.tara.yaml")}),
        (f"/projects/{p}/releases/upload/", {"file": upload("sbom.json"), "name": "ecu", "version": "1"}),
        (f"/projects/{p}/advisories/import/", {"file": upload("osv.json")}),
    ]
    admin = make_admin()
    strict = Client(enforce_csrf_checks=True, raise_request_exception=False)
    strict.force_login(admin)
    strict.get("/")
    token = strict.cookies["csrftoken"].value
    relaxed = Client(raise_request_exception=False)
    relaxed.force_login(admin)
    before = state()
    for url, data in pages:
        for client, extra in ((strict, {"csrfmiddlewaretoken": token}), (relaxed, {})):
            for value in data.values():
                if isinstance(value, SimpleUploadedFile):
                    value.seek(0)
            answer = client.post(url, {**data, **extra})
            assert answer.status_code == 507, (url, answer.content[:300])
            text = answer.content.decode()
            assert "<h1>The server's disk is full</h1>" in text
            assert "what was sent could not be stored and nothing was saved" in text
            assert list(full_disk.iterdir()) == []
    assert state() == before


def test_only_a_write_refused_for_space_counts_as_a_full_disk() -> None:
    assert is_disk_full(OSError(errno.ENOSPC, "No space left on device"))
    assert is_disk_full(OSError(errno.EDQUOT, "Disk quota exceeded"))
    outer = RuntimeError("while saving")
    outer.__cause__ = OSError(errno.ENOSPC, "No space left on device")
    assert is_disk_full(outer)  # raised from a full disk
    context = ValueError("while cleaning up")
    context.__context__ = outer
    assert is_disk_full(context)  # raised while handling one
    assert not is_disk_full(OSError(errno.EACCES, "Permission denied"))
    assert not is_disk_full(ValueError("x"))
    assert not is_disk_full(None)
