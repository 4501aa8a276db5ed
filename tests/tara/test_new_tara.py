"""An empty TARA started from the project page or the API: the header only, evaluated, audited with its
actor; refused for readers, for an id taken or malformed and for an unknown profile, creating nothing."""

from __future__ import annotations

from typing import get_args

import pytest
from django.core.exceptions import PermissionDenied

from opencsms.core.audit import AuditAction
from opencsms.core.errors import Conflict, DomainError
from opencsms.core.models import ChangeRecord
from opencsms.engine.method.load import SHIPPED_PROFILES
from opencsms.tara import selectors, services
from opencsms.tara.api_start import Profile
from opencsms.tara.models import Tara
from tests.factories.workspace import Workspace

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def test_the_service_creates_an_empty_evaluated_tara_and_audits_it(workspace: Workspace) -> None:
    engineer, project = workspace.users["engineer"], workspace.tree.project
    tara = services.create_tara(
        actor=engineer, project_id=project.pk, ref="door", name="Door", profile="evita"
    )
    assert (tara.ref, tara.name, tara.revision) == ("door", "Door", 1)
    assert tara.header["method"] == {"profile": "evita"}
    assert tara.header["item"] == {"name": "Door"}
    assert not tara.elements.exists()
    assert tara.summary["counts"].get("threat_scenarios", 0) == 0
    assert "id: door" in selectors.export_yaml(tara)
    record = ChangeRecord.objects.get(action=AuditAction.TARA_CREATED)
    assert (record.actor_id, record.after["profile"]) == (engineer.pk, "evita")


def test_the_service_refuses_readers_taken_ids_bad_ids_and_unknown_profiles(workspace: Workspace) -> None:
    project = workspace.tree.project.pk
    with pytest.raises(PermissionDenied):
        services.create_tara(actor=workspace.users["auditor"], project_id=project, ref="x", name="X")
    with pytest.raises(Conflict, match="has a TARA"):
        services.create_tara(
            actor=workspace.users["engineer"], project_id=project, ref=workspace.tara.ref, name="X"
        )
    with pytest.raises(DomainError, match="id"):
        services.create_tara(actor=workspace.users["engineer"], project_id=project, ref="bad id!", name="X")
    with pytest.raises(DomainError, match="profile"):
        services.create_tara(
            actor=workspace.users["engineer"], project_id=project, ref="ok", name="X", profile="nope"
        )
    assert Tara.objects.filter(project_id=project).count() == 1
    assert not ChangeRecord.objects.filter(action=AuditAction.TARA_CREATED).exists()


def test_the_project_page_offers_the_form_to_editors_only(workspace: Workspace) -> None:
    url = f"/projects/{workspace.tree.project.pk}/taras/"
    page = workspace.client("engineer").get(url, **HX).content.decode()
    assert 'data-testid="new-tara-form"' in page
    assert '<option value="heavens-1.0">HEAVENS 1.0</option>' in page
    assert 'data-testid="new-tara-form"' not in workspace.client("auditor").get(url, **HX).content.decode()


def test_the_page_form_creates_the_tara_and_goes_to_its_overview(workspace: Workspace) -> None:
    client, project = workspace.client("cybersecurity_manager"), workspace.tree.project.pk
    data = {"ref": "window", "name": "Window lifter", "profile": "iso21434"}
    response = client.post(f"/projects/{project}/taras/new/", data, **HX)
    tara = Tara.objects.get(project_id=project, ref="window")
    assert (response.status_code, response["HX-Redirect"]) == (200, f"/taras/{tara.pk}/")
    assert "Window lifter" in client.get(f"/taras/{tara.pk}/").content.decode()


def test_the_page_form_names_the_problem_and_creates_nothing(workspace: Workspace) -> None:
    client, project = workspace.client("engineer"), workspace.tree.project.pk
    target = {**HX, "HTTP_HX_TARGET": "new-tara"}
    data = {"ref": "", "name": "X", "profile": "x"}
    response = client.post(f"/projects/{project}/taras/new/", data, **target)
    body = response.content.decode()
    assert 'data-for="ref"' in body
    assert 'data-for="profile"' in body
    taken = client.post(
        f"/projects/{project}/taras/new/", {"ref": workspace.tara.ref, "name": "X", "profile": "evita"}, **HX
    )
    assert "has a TARA" in taken.content.decode()
    refused = workspace.client("auditor").post(f"/projects/{project}/taras/new/", {"ref": "a", "name": "A"})
    assert refused.status_code == 302  # a page refusal goes back with the message
    assert Tara.objects.filter(project_id=project).count() == 1


def test_the_api_creates_an_empty_tara_and_refuses_bad_input(workspace: Workspace) -> None:
    client, project = workspace.client("engineer"), workspace.tree.project.pk
    url = f"/api/v1/projects/{project}/taras/new"
    made = client.post(url, {"ref": "mirror", "name": "Mirror"}, content_type="application/json")
    assert made.status_code == 201, made.content
    assert (made.json()["ref"], made.json()["name"]) == ("mirror", "Mirror")
    again = client.post(url, {"ref": "mirror", "name": "Mirror"}, content_type="application/json")
    assert again.status_code == 409
    assert "has a TARA" in again.json()["detail"]
    bad = client.post(url, {"ref": "x", "name": "X", "profile": "nope"}, content_type="application/json")
    assert bad.status_code == 422
    assert "profile" in bad.content.decode()
    forbidden = workspace.client("auditor").post(
        url, {"ref": "y", "name": "Y"}, content_type="application/json"
    )
    assert forbidden.status_code == 403
    assert Tara.objects.filter(project_id=project).count() == 2


def test_the_api_offers_the_shipped_profiles() -> None:
    assert set(get_args(Profile)) == set(SHIPPED_PROFILES)
