"""A list under a parent the caller cannot see answers 404, as the parent's own detail does (it is not
revealed); under a visible parent, the list."""

from __future__ import annotations

import pytest
from django.test import Client

from opencsms.organisation.models import Role
from tests.factories.core import make_user
from tests.factories.organisation import make_membership, make_tree

pytestmark = pytest.mark.django_db


def test_lists_under_an_unseen_parent_are_not_found() -> None:
    tree, other = make_tree(), make_tree()
    member = make_user()
    make_membership(member, tree.organisation, Role.AUDITOR)  # sees the whole organisation
    client = Client()
    client.force_login(member)
    for parent, seen in ((tree, True), (other, False)):
        for url in (
            f"/api/v1/projects/{parent.project.pk}/taras",
            f"/api/v1/projects/{parent.project.pk}/releases",
            f"/api/v1/organisations/{parent.organisation.pk}/advisory-sources",
        ):
            response = client.get(url)
            assert response.status_code == (200 if seen else 404), url
            assert response.json() == [] if seen else response.json()["code"] == "not_found"
