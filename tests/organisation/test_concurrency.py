"""Optimistic concurrency of a membership's role (core.versions): two managers change the same member's
role from the same version; the second is refused with 409 (page and API) and the first stays."""

from __future__ import annotations

import pytest

from opencsms.organisation.models import Membership, Role
from tests.factories.core import make_user
from tests.factories.organisation import make_membership, make_tree, member

pytestmark = pytest.mark.django_db


def test_the_second_role_change_from_one_version_is_refused() -> None:
    tree = make_tree()
    newcomer = make_user("newcomer")
    make_membership(newcomer, tree.project, Role.ENGINEER)
    alice, bob = member(tree, Role.CYBERSECURITY_MANAGER), member(tree, Role.CYBERSECURITY_MANAGER)
    page = bob.get(f"/projects/{tree.project.pk}/").content.decode()
    assert '<input type="hidden" name="etag" value="1">' in page
    path = f"/members/project/{tree.project.pk}/{newcomer.pk}/role/"
    assert alice.post(path, {"role": "reviewer", "etag": "1"}).status_code == 302
    refused = bob.post(path, {"role": "auditor", "etag": "1"})
    assert refused.status_code == 409
    body = refused.content.decode()
    assert '<td data-testid="theirs">reviewer</td>' in body
    assert '<td data-testid="yours">auditor</td>' in body
    membership = Membership.objects.get(user=newcomer, project=tree.project)
    assert (membership.role, membership.version) == (Role.REVIEWER, 2)


def test_the_role_api_sends_etags_and_refuses_a_stale_if_match() -> None:
    tree = make_tree()
    newcomer = make_user("newcomer")
    make_membership(newcomer, tree.project, Role.ENGINEER)
    alice, bob = member(tree, Role.CYBERSECURITY_MANAGER), member(tree, Role.CYBERSECURITY_MANAGER)
    url = f"/api/v1/projects/{tree.project.pk}/members/{newcomer.pk}"
    saved = alice.patch(url, {"role": "reviewer"}, content_type="application/json", HTTP_IF_MATCH='"1"')
    assert (saved.status_code, saved["ETag"], saved.json()["etag"]) == (200, '"2"', "2")
    refused = bob.patch(url, {"role": "auditor"}, content_type="application/json", HTTP_IF_MATCH='"1"')
    assert (refused.status_code, refused.json()["code"], refused.json()["current_etag"]) == (
        409,
        "stale_version",
        "2",
    )
    assert Membership.objects.get(user=newcomer, project=tree.project).role == Role.REVIEWER
