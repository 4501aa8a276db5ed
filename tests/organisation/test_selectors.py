"""Scope: what each role sees at each level, membership inheritance, and the supplier guest's narrow view."""

from __future__ import annotations

import pytest

from opencsms.core.errors import NotFound
from opencsms.organisation import access, selectors
from opencsms.organisation.access import Perm
from opencsms.organisation.models import Level, Role
from tests.factories.core import make_admin, make_user
from tests.factories.organisation import make_membership, make_project, make_tree

pytestmark = pytest.mark.django_db


def test_a_business_unit_membership_sees_its_projects_but_not_the_levels_above() -> None:
    tree = make_tree()
    sibling = make_project(tree.business_unit)
    user = make_user()
    make_membership(user, tree.business_unit, Role.ENGINEER)
    assert set(selectors.projects(user)) == {tree.project, sibling}
    assert list(selectors.business_units(user)) == [tree.business_unit]
    assert list(selectors.organisations(user)) == []


def test_an_organisation_membership_sees_everything_below_it_and_nothing_else() -> None:
    tree = make_tree()
    user = make_user()
    make_membership(user, tree.organisation, Role.AUDITOR)
    assert list(selectors.organisations(user)) == [tree.organisation]
    assert list(selectors.business_units(user)) == [tree.business_unit]
    assert list(selectors.projects(user)) == [tree.project]


def test_a_supplier_guest_sees_only_the_project_they_are_member_of() -> None:
    tree = make_tree()
    make_project(tree.business_unit)
    guest = make_user()
    make_membership(guest, tree.project, Role.SUPPLIER_GUEST)
    assert list(selectors.projects(guest)) == [tree.project]
    assert list(selectors.business_units(guest)) == []
    assert list(selectors.organisations(guest)) == []
    assert access.permissions(guest, tree.project) == {Perm.VIEW}


def test_a_supplier_guest_membership_above_a_project_grants_nothing() -> None:
    tree = make_tree()
    guest = make_user()
    make_membership(guest, tree.business_unit, Role.SUPPLIER_GUEST)  # not possible through the services
    assert list(selectors.projects(guest)) == []
    assert access.permissions(guest, tree.project) == frozenset()


def test_an_auditor_sees_but_cannot_edit() -> None:
    tree = make_tree()
    auditor = make_user()
    make_membership(auditor, tree.organisation, Role.AUDITOR)
    assert list(selectors.projects(auditor)) == [tree.project]
    assert list(selectors.projects(auditor, perm=Perm.EDIT)) == []
    assert access.permissions(auditor, tree.project) == {Perm.VIEW}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.ADMINISTRATOR, set(Perm)),
        (Role.CYBERSECURITY_MANAGER, set(Perm) - {Perm.ADMINISTER}),
        (Role.ENGINEER, {Perm.VIEW, Perm.EDIT}),
        (Role.REVIEWER, {Perm.VIEW, Perm.REVIEW, Perm.APPROVE}),
        (Role.AUDITOR, {Perm.VIEW}),
    ],
)
def test_an_organisation_role_applies_to_projects_below(role: Role, expected: set[Perm]) -> None:
    tree = make_tree()
    user = make_user()
    make_membership(user, tree.organisation, role)
    assert access.permissions(user, tree.project) == expected
    assert access.permissions(user, tree.other_project) == frozenset()
    for perm in expected:
        assert list(selectors.projects(user, perm=perm)) == [tree.project]


def test_a_cybersecurity_manager_manages_members_below_the_organisation_only() -> None:
    tree = make_tree()
    manager = make_user()
    make_membership(manager, tree.organisation, Role.CYBERSECURITY_MANAGER)
    assert Perm.MANAGE_MEMBERS not in access.permissions(manager, tree.organisation)
    assert Perm.MANAGE_MEMBERS in access.permissions(manager, tree.business_unit)


def test_the_strongest_of_several_memberships_counts() -> None:
    tree = make_tree()
    user = make_user()
    make_membership(user, tree.organisation, Role.AUDITOR)
    make_membership(user, tree.project, Role.ENGINEER)
    assert access.permissions(user, tree.project) == {Perm.VIEW, Perm.EDIT}
    assert access.permissions(user, tree.business_unit) == {Perm.VIEW}


def test_superusers_see_everything() -> None:
    tree = make_tree()
    assert set(selectors.projects(make_admin())) == {tree.project, tree.other_project}


def test_level_answers_404_outside_the_scope_and_members_are_scoped() -> None:
    tree = make_tree()
    user, colleague = make_user(), make_user()
    make_membership(user, tree.project, Role.REVIEWER)
    make_membership(colleague, tree.project, Role.ENGINEER)
    assert selectors.level(user, Level.PROJECT, tree.project.pk) == tree.project
    with pytest.raises(NotFound):
        selectors.level(user, Level.PROJECT, tree.other_project.pk)
    with pytest.raises(NotFound):
        selectors.level(user, Level.BUSINESS_UNIT, tree.business_unit.pk)
    assert [m.user for m in selectors.memberships(user, tree.project)] == sorted(
        [user, colleague], key=lambda u: u.username
    )
    assert list(selectors.memberships(make_user(), tree.project)) == []


def test_scope_is_one_query(django_assert_num_queries: object) -> None:
    tree = make_tree()
    user = make_user()
    make_membership(user, tree.organisation, Role.ENGINEER)
    with django_assert_num_queries(1):  # type: ignore[operator]
        assert len(list(selectors.projects(user))) == 1


def test_holders_are_exactly_the_active_users_permissions_grants(django_assert_num_queries: object) -> None:
    tree = make_tree()
    levels = (tree.organisation, tree.business_unit, tree.project)
    users = [make_admin(), make_user(admin=True, is_active=False), make_user(is_active=False)]
    make_membership(users[2], tree.project, Role.ENGINEER)  # inactive: holds nothing that counts
    for role in Role:
        for level in (*levels, tree.other_project):
            make_membership(user := make_user(), level, role)  # guests above a project grant nothing
            users.append(user)
    for obj in levels:
        for perm in Perm:
            expected = {u for u in users if u.is_active and perm in access.permissions(u, obj)}
            assert set(access.holders(perm, obj)) == expected, (obj, perm)
    guests = access.holders(Perm.VIEW, tree.project).filter(memberships__role=Role.SUPPLIER_GUEST)
    assert [m.project for u in guests for m in u.memberships.all()] == [tree.project]
    engineers = access.holders(Perm.EDIT, tree.project, roles=[Role.ENGINEER])  # no superuser then
    assert {m.scope for u in engineers for m in u.memberships.all()} == {lvl.scope for lvl in levels}
    with django_assert_num_queries(1):  # type: ignore[operator]
        assert len(list(access.holders(Perm.EDIT, tree.project))) == 10
