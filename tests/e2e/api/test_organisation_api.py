"""The organisation API: a role x endpoint permission matrix, the endpoints' shapes and their query counts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from opencsms.core.models import User
from opencsms.organisation.models import Membership, Role
from tests.factories.core import make_admin, make_user
from tests.factories.organisation import Tree, make_matrix_user, make_membership, make_project, make_tree

pytestmark = pytest.mark.django_db

Call = Callable[[Client, Tree, User], Any]


def _json(method: str, path: str, data: dict[str, Any] | None = None) -> Call:
    def call(client: Client, tree: Tree, target: User) -> Any:
        filled = path.format(tree=tree, target=target)
        payload = {key: value.format(tree=tree, target=target) for key, value in (data or {}).items()}
        body = {key: int(value) if value.isdigit() else value for key, value in payload.items()}
        return getattr(client, method)(filled, data=body, content_type="application/json")

    return call


P_MEMBERS = "/api/v1/projects/{tree.project.pk}/members"
ENDPOINTS: dict[str, Call] = {
    "list project members": _json("get", P_MEMBERS),
    "list business unit members": _json("get", "/api/v1/business-units/{tree.business_unit.pk}/members"),
    "list organisation members": _json("get", "/api/v1/organisations/{tree.organisation.pk}/members"),
    "list other organisation's project members": _json(
        "get", "/api/v1/projects/{tree.other_project.pk}/members"
    ),
    "create business unit": _json(
        "post", "/api/v1/business-units", {"organisation_id": "{tree.organisation.pk}", "name": "New BU"}
    ),
    "create project": _json(
        "post", "/api/v1/projects", {"business_unit_id": "{tree.business_unit.pk}", "name": "New project"}
    ),
    "add project member": _json("post", P_MEMBERS, {"user_id": "{target.pk}", "role": "engineer"}),
    "change project member": _json("patch", P_MEMBERS + "/{target.pk}", {"role": "reviewer"}),
    "remove project member": _json("delete", P_MEMBERS + "/{target.pk}"),
    "add project administrator": _json(
        "post", P_MEMBERS, {"user_id": "{target.pk}", "role": "administrator"}
    ),
}

# Every role is held at the business unit (and so applies to its project); the supplier guest on the project.
# Columns: the ENDPOINTS in order. The target of change/remove is an engineer on the project (the add
# endpoints use a user who is not a member yet).
EXPECTED: dict[str, tuple[int, ...]] = {
    "administrator": (200, 200, 404, 404, 404, 201, 201, 200, 204, 201),
    "cybersecurity_manager": (200, 200, 404, 404, 404, 403, 201, 200, 204, 403),
    "engineer": (200, 200, 404, 404, 404, 403, 403, 403, 403, 403),
    "reviewer": (200, 200, 404, 404, 404, 403, 403, 403, 403, 403),
    "auditor": (200, 200, 404, 404, 404, 403, 403, 403, 403, 403),
    "supplier_guest": (200, 404, 404, 404, 404, 404, 403, 403, 403, 403),
    "no membership": (404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "superuser": (200, 200, 200, 200, 201, 201, 201, 200, 204, 201),
}
MATRIX = [
    pytest.param(who, endpoint, statuses[index], id=f"{who}-{endpoint}")
    for who, statuses in EXPECTED.items()
    for index, endpoint in enumerate(ENDPOINTS)
]


@pytest.mark.parametrize(("who", "endpoint", "expected"), MATRIX)
def test_permission_matrix(who: str, endpoint: str, expected: int) -> None:
    assert len(EXPECTED[who]) == len(ENDPOINTS)
    tree = make_tree()
    user = make_matrix_user(tree, who)
    target = make_user()
    if endpoint in {"change project member", "remove project member"}:
        make_membership(target, tree.project, Role.ENGINEER)
    client = Client()
    client.force_login(user)
    response = ENDPOINTS[endpoint](client, tree, target)
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
