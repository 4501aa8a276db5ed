"""Small typed builders of organisation levels and memberships (rows directly; services are under test)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from django.test import Client

from opencsms.core.models import User
from opencsms.organisation.models import BusinessUnit, LevelObject, Membership, Organisation, Project, Role
from tests.factories.core import logged_in, make_admin, make_user

_numbers = itertools.count(1)


def make_organisation(name: str | None = None) -> Organisation:
    number = next(_numbers)
    return Organisation.objects.create(name=name or f"Org {number}", slug=f"org-{number}")


def make_business_unit(organisation: Organisation | None = None, name: str | None = None) -> BusinessUnit:
    number = next(_numbers)
    return BusinessUnit.objects.create(
        organisation=organisation or make_organisation(), name=name or f"BU {number}", slug=f"bu-{number}"
    )


def make_project(business_unit: BusinessUnit | None = None, name: str | None = None) -> Project:
    number = next(_numbers)
    return Project.objects.create(
        business_unit=business_unit or make_business_unit(),
        name=name or f"Project {number}",
        slug=f"p-{number}",
    )


def make_membership(user: User, level: LevelObject, role: Role) -> Membership:
    return Membership.objects.create(user=user, role=role, **{type(level).level: level})


@dataclass(frozen=True)
class Tree:
    """An organisation with one business unit and one project, and a second, unrelated organisation."""

    organisation: Organisation
    business_unit: BusinessUnit
    project: Project
    other_organisation: Organisation
    other_project: Project


def make_tree() -> Tree:
    organisation = make_organisation("Acme")
    unit = make_business_unit(organisation, "Powertrain")
    project = make_project(unit, "Inverter")
    other = make_organisation("Globex")
    other_project = make_project(make_business_unit(other))
    return Tree(organisation, unit, project, other, other_project)


def make_matrix_user(tree: Tree, who: str) -> User:
    """The user of a permission matrix row: `superuser`, `no membership`, or a role held at the business
    unit (a supplier guest's on the project, the only level a guest is invited to).
    """
    user = make_admin() if who == "superuser" else make_user()
    if who == "supplier_guest":
        make_membership(user, tree.project, Role.SUPPLIER_GUEST)
    elif who in Role.values:
        make_membership(user, tree.business_unit, Role(who))
    return user


def member(tree: Tree, role: Role, level: str = "business_unit") -> Client:
    """A client signed in as a new user with `role` at the tree's `level`."""
    user = make_user()
    make_membership(user, getattr(tree, level), role)
    return logged_in(user)
