"""An SBOM's unusable parts (invalid purls and CPEs, a version list, a component without a name) are kept
with the release as its problems and shown, in the API and on the pages; the rest is analysed."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from opencsms.core.models import ChangeRecord
from opencsms.organisation.models import Role
from opencsms.vulns.models import Release, ReleaseComponent
from tests.factories.core import make_user
from tests.factories.organisation import make_membership, make_tree

pytestmark = pytest.mark.django_db

SBOM = json.dumps(
    {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "components": [
            {"name": "good", "version": "1.0", "purl": "pkg:npm/good@1.0"},
            {"name": "badpurl", "version": "1", "purl": "pkg:/broken"},
            {"name": "listed", "version": ["1"], "purl": "pkg:npm/listed@1"},
            {"version": "2", "purl": "pkg:npm/anon@2"},
        ],
    }
).encode()


def _engineer() -> tuple[Client, int]:
    tree = make_tree()
    engineer = make_user()
    make_membership(engineer, tree.project, Role.ENGINEER)
    client = Client()
    client.force_login(engineer)
    return client, tree.project.pk


def test_the_api_answers_the_problems_and_keeps_them_with_the_release() -> None:
    client, project_id = _engineer()
    response = client.post(
        f"/api/v1/projects/{project_id}/releases",
        {"file": SimpleUploadedFile("ecu.cdx.json", SBOM), "name": "ecu", "version": "1"},
    )
    assert response.status_code == 201, response.content
    problems = response.json()["problems"]
    assert problems == [
        "unusable-value: component 'badpurl': purl 'pkg:/broken' is not valid: left out",
        "unusable-value: component 'listed': version ['1'] (not text) is not valid: left out",
        "no-name: component 'pkg:npm/anon@2' has no name",
    ]
    release = Release.objects.get()
    assert release.problems == problems
    versions = set(ReleaseComponent.objects.filter(release=release).values_list("version", flat=True))
    assert "['1']" not in versions
    assert ReleaseComponent.objects.filter(release=release).count() == 4  # the rest is still analysed
    record = ChangeRecord.objects.filter(action="vulns_release.created").latest("seq")
    assert record.after["problems"] == 3


def test_the_pages_warn_after_the_upload_and_list_the_problems() -> None:
    client, project_id = _engineer()
    answer = client.post(
        reverse("vulns:upload", args=[project_id]),
        {"file": SimpleUploadedFile("ecu.cdx.json", SBOM), "name": "ecu", "version": "1"},
        follow=True,
    )
    page = answer.content.decode()
    assert "The SBOM has 3 problems" in page
    assert 'data-testid="sbom-problems"' in page
    assert "purl &#x27;pkg:/broken&#x27; is not valid" in page
