"""The organisation API: who may grant the administrator role, the endpoints' shapes and their query counts
(who may call each endpoint otherwise: the permission matrix, tests/config/permissions)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from opencsms.organisation.models import Membership, Role
from tests.factories.core import make_admin, make_user
from tests.factories.organisation import make_matrix_user, make_membership, make_project, make_tree

pytestmark = pytest.mark.django_db

# Granting the administrator role needs ADMINISTER as well as MANAGE_MEMBERS: a rule of the payload, which
# the generated matrix (tests/config/permissions, which grants the engineer role) does not reach. Roles are
# held at the business unit (the supplier guest at the project).
GRANT_ADMINISTRATOR: dict[str, int] = {
    "administrator": 201,
    "cybersecurity_manager": 403,
    "engineer": 403,
    "reviewer": 403,
    "auditor": 403,
    "supplier_guest": 403,
    "no membership": 404,
    "superuser": 201,
}


@pytest.mark.parametrize(("who", "expected"), GRANT_ADMINISTRATOR.items())
def test_granting_the_administrator_role_needs_administer(who: str, expected: int) -> None:
    tree = make_tree()
    client = Client()
    client.force_login(make_matrix_user(tree, who))
    newcomer = make_user()
    response = client.post(
        f"/api/v1/projects/{tree.project.pk}/members",
        data={"user_id": newcomer.pk, "role": "administrator"},
        content_type="application/json",
    )
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert {"code", "detail"} <= response.json().keys()


def test_lists_and_member_lifecycle_through_the_api() -> None:
    root, boss, engineer = make_admin(), make_user("boss"), make_user("eng")
    client = Client()
    client.force_login(root)
    created = client.post(
        "/api/v1/organisations",
        data={"name": "Acme", "administrator_id": boss.pk},
        content_type="application/json",
    )
    assert created.status_code == 201
    organisation = created.json()
    assert organisation["slug"] == "acme"
    client.force_login(boss)
    unit = client.post(
        "/api/v1/business-units",
        data={"organisation_id": organisation["id"], "name": "Body"},
        content_type="application/json",
    ).json()
    project = client.post(
        "/api/v1/projects",
        data={"business_unit_id": unit["id"], "name": "Door ECU"},
        content_type="application/json",
    ).json()
    assert client.get("/api/v1/projects").json() == [project]
    assert client.get(f"/api/v1/projects?business_unit={unit['id']}").json() == [project]
    assert client.get("/api/v1/business-units").json() == [unit]
    members = f"/api/v1/projects/{project['id']}/members"
    added = client.post(
        members, data={"user_id": engineer.pk, "role": "engineer"}, content_type="application/json"
    )
    assert added.status_code == 201
    assert added.json() | {"id": 0} == {
        "id": 0,
        "user_id": engineer.pk,
        "username": "eng",
        "role": "engineer",
        "scope": f"project:{project['id']}",
        "etag": "1",
    }
    assert [m["username"] for m in client.get(members).json()] == ["eng"]
    last = client.delete(f"/api/v1/organisations/{organisation['id']}/members/{boss.pk}")
    assert (last.status_code, last.json()["code"]) == (409, "conflict")
    unknown = client.get(f"/api/v1/teams/{project['id']}/members")
    assert unknown.status_code == 422


@pytest.mark.parametrize("count", [1, 20])
def test_the_projects_list_takes_the_same_queries_for_1_and_20_projects(
    count: int, django_assert_num_queries: Any
) -> None:
    tree = make_tree()
    for _ in range(count - 1):
        make_project(tree.business_unit)
    user = make_user()
    make_membership(user, tree.organisation, Role.ENGINEER)
    make_membership(user, tree.project, Role.REVIEWER)
    client = Client()
    client.force_login(user)
    with django_assert_num_queries(3):  # session, user, the scoped projects
        response = client.get("/api/v1/projects")
    assert len(response.json()) == count


@pytest.mark.parametrize("count", [1, 20])
def test_the_members_list_takes_the_same_queries_for_1_and_20_members(
    count: int, django_assert_num_queries: Any
) -> None:
    tree = make_tree()
    user = make_user()
    make_membership(user, tree.project, Role.ENGINEER)
    for _ in range(count - 1):
        make_membership(make_user(), tree.project, Role.AUDITOR)
    client = Client()
    client.force_login(user)
    with django_assert_num_queries(4):  # session, user, the project, the scoped members with their users
        response = client.get(f"/api/v1/projects/{tree.project.pk}/members")
    assert len(response.json()) == count == Membership.objects.filter(project=tree.project).count()
