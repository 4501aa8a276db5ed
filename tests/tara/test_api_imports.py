"""Large TARA files are imported in the background: queued through the API, done by `opencsms worker`."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from typer.testing import CliRunner

from opencsms.cli.main import app
from opencsms.core.audit import AuditAction
from opencsms.core.models import ChangeRecord
from opencsms.organisation.models import Role
from opencsms.tara.models import Tara
from tests.factories.core import make_user
from tests.factories.organisation import make_membership, make_tree
from tests.tara.conftest import REFERENCE

pytestmark = pytest.mark.django_db(transaction=True)


def _run_worker() -> None:
    outcome = CliRunner().invoke(app, ["worker", "--batch", "--no-startup-delay"])
    assert outcome.exit_code == 0, outcome.output


def test_a_queued_import_is_done_by_the_worker_as_the_person_who_asked() -> None:
    tree = make_tree()
    engineer = make_user()
    make_membership(engineer, tree.project, Role.ENGINEER)
    client = Client()
    client.force_login(engineer)
    with REFERENCE.open("rb") as file:
        queued = client.post(f"/api/v1/projects/{tree.project.pk}/tara-imports", {"file": file})
    assert queued.status_code == 202, queued.content
    job = queued.json()
    assert (job["status"], job["tara_id"], job["size"]) == ("queued", None, REFERENCE.stat().st_size)
    assert not Tara.objects.exists()
    _run_worker()
    done = client.get(f"/api/v1/tara-imports/{job['id']}").json()
    assert done["status"] == "done"
    tara = Tara.objects.get(pk=done["tara_id"])
    imported = ChangeRecord.objects.get(action=AuditAction.TARA_IMPORTED)
    assert (imported.actor, imported.correlation_id) == (engineer, f"tara-import-{job['id']}")
    assert tara.summary["counts"]["threat_scenarios"] == 60


def test_a_refused_file_fails_the_job_with_the_engines_message() -> None:
    tree = make_tree()
    engineer = make_user()
    make_membership(engineer, tree.project, Role.ENGINEER)
    client = Client()
    client.force_login(engineer)
    bad = SimpleUploadedFile("bad.yaml", b"opencsms: tara/1\nid: x\n")
    job = client.post(f"/api/v1/projects/{tree.project.pk}/tara-imports", {"file": bad}).json()
    _run_worker()
    failed = client.get(f"/api/v1/tara-imports/{job['id']}").json()
    assert failed["status"] == "failed"
    assert "bad.yaml" in failed["error"]
    assert "missing-field" in failed["error"]
    assert not Tara.objects.exists()
    outsider = Client()
    outsider.force_login(make_user())
    assert outsider.get(f"/api/v1/tara-imports/{job['id']}").status_code == 404
