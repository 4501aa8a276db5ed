"""The pages: a role x page permission matrix (404 outside the scope, 403 visible but not permitted)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories.core import make_user
from tests.factories.organisation import Tree, make_matrix_user, make_tree

pytestmark = pytest.mark.django_db

PAGES: dict[str, tuple[str, str, dict[str, str]]] = {
    "organisation page": ("get", "/organisations/{tree.organisation.pk}/", {}),
    "business unit page": ("get", "/business-units/{tree.business_unit.pk}/", {}),
    "project page": ("get", "/projects/{tree.project.pk}/", {}),
    "other organisation's project": ("get", "/projects/{tree.other_project.pk}/", {}),
    "add project member": ("post", "/members/project/{tree.project.pk}/add/", {"role": "engineer"}),
    "create project": ("post", "/business-units/{tree.business_unit.pk}/projects/", {"name": "New"}),
}
# Roles held at the business unit (the supplier guest on the project). A successful POST redirects (302).
EXPECTED: dict[str, tuple[int, ...]] = {
    "administrator": (404, 200, 200, 404, 302, 302),
    "cybersecurity_manager": (404, 200, 200, 404, 302, 403),
    "engineer": (404, 200, 200, 404, 403, 403),
    "reviewer": (404, 200, 200, 404, 403, 403),
    "auditor": (404, 200, 200, 404, 403, 403),
    "supplier_guest": (404, 404, 200, 404, 403, 404),
    "no membership": (404, 404, 404, 404, 404, 404),
    "superuser": (200, 200, 200, 200, 302, 302),
}
MATRIX = [
    pytest.param(who, page, statuses[index], id=f"{who}-{page}")
    for who, statuses in EXPECTED.items()
    for index, page in enumerate(PAGES)
]


def signed_in(who: str, tree: Tree) -> Client:
    client = Client()
    client.force_login(make_matrix_user(tree, who))
    return client


@pytest.mark.parametrize(("who", "page", "expected"), MATRIX)
def test_page_permission_matrix(who: str, page: str, expected: int) -> None:
    assert len(EXPECTED[who]) == len(PAGES)
    tree = make_tree()
    client = signed_in(who, tree)
    method, path, data = PAGES[page]
    if "user" not in data and "members" in path:
        data = {**data, "user": make_user("newcomer").username}
    response = getattr(client, method)(path.format(tree=tree), data)
    assert response.status_code == expected
