"""Defects the fuzz run (test_api_fuzz.py) found, each pinned by a test of its own."""

from __future__ import annotations

import json

import pytest
import yaml
from django.test import Client

from opencsms.config.api import api
from opencsms.organisation.models import Organisation, Role
from opencsms.vulns.models import Notification
from tests.factories.core import make_admin, make_user
from tests.factories.organisation import make_matrix_user, make_membership, make_tree
from tests.factories.workspace import make_workspace

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("body", "named"),
    [("[1]", "a list"), ("[]", "a list"), ('"all"', "a string"), ("7", "a number"), ("null", "null")],
)
def test_a_json_body_that_is_not_an_object_marks_no_notification_read(body: str, named: str) -> None:
    tree = make_tree()
    engineer = make_matrix_user(tree, Role.ENGINEER)
    Notification.objects.create(user=engineer, project=tree.project, message="new finding")
    client = Client()
    client.force_login(engineer)
    response = client.post("/api/v1/notifications/read", body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json() == {
        "code": "invalid_body",
        "detail": f"the JSON body must be an object of the operation's fields, not {named}",
    }
    assert Notification.objects.get().read_at is None


def test_a_list_body_creates_nothing_and_an_object_still_works() -> None:
    client = Client()
    client.force_login(make_admin())
    refused = client.post("/api/v1/organisations", '[{"name": "Acme"}]', content_type="application/json")
    assert refused.status_code == 400
    assert not Organisation.objects.filter(name="Acme").exists()
    made = client.post("/api/v1/organisations", ' \n{"name": "Acme"}', content_type="application/json")
    assert made.status_code == 201, made.content
    broken = client.post("/api/v1/organisations", "[1,", content_type="application/json")
    assert broken.status_code == 400  # not JSON: Ninja's own answer, unchanged


def test_the_yaml_export_is_documented_as_the_document_it_parses_to() -> None:
    workspace = make_workspace()
    client = workspace.client("engineer")
    response = client.get(f"/api/v1/taras/{workspace.tara.pk}/export")
    assert response.status_code == 200
    assert isinstance(yaml.safe_load(response.content), dict)
    paths = api.get_openapi_schema()["paths"]
    export = paths["/api/v1/taras/{tara_id}/export"]["get"]["responses"][200]["content"]
    assert export == {"application/yaml": {"schema": {"type": "object"}}}
    report = paths["/api/v1/taras/{tara_id}/report"]["get"]["responses"][200]["content"]
    assert report["application/json"] == {"schema": {"type": "object"}}
    assert report["application/pdf"] == {"schema": {"type": "string", "format": "binary"}}
    json_report = client.get(f"/api/v1/taras/{workspace.tara.pk}/report", {"format": "json"})
    assert json_report.status_code == 200, json_report.content[:300]
    assert isinstance(json.loads(json_report.content), dict)


def test_a_new_organisation_naming_a_missing_administrator_is_a_declared_404() -> None:
    client = Client()
    client.force_login(make_admin())
    body = {"name": "Initech", "administrator_id": 10**9}
    response = client.post("/api/v1/organisations", body, content_type="application/json")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": f"no active user {10**9}"}
    assert not Organisation.objects.filter(name="Initech").exists()
    answers = api.get_openapi_schema()["paths"]["/api/v1/organisations"]["post"]["responses"]
    assert answers[404]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorOut"}


def test_a_versioned_write_declares_both_of_its_409_answers() -> None:
    """Demoting an organisation's last administrator is a plain conflict (no version in the answer), on
    an operation whose 409 is otherwise a stale version: the contract names both."""
    tree = make_tree()
    administrator = make_user()
    make_membership(administrator, tree.organisation, Role.ADMINISTRATOR)
    client = Client()
    client.force_login(make_admin())
    url = f"/api/v1/organisations/{tree.organisation.pk}/members/{administrator.pk}"
    response = client.patch(url, {"role": "engineer"}, content_type="application/json")
    assert response.status_code == 409, response.content
    assert set(response.json()) == {"code", "detail"}
    assert "must keep at least one administrator" in response.json()["detail"]
    operation = api.get_openapi_schema()["paths"]["/api/v1/{kind}/{level_id}/members/{user_id}"]["patch"]
    options = operation["responses"][409]["content"]["application/json"]["schema"]["anyOf"]
    assert [option["$ref"] for option in options] == [
        "#/components/schemas/StaleOut",
        "#/components/schemas/ErrorOut",
    ]
