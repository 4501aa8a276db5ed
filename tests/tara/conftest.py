"""Fixtures of the TARA app tests: a project with people in every role, and the reference model imported."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pytest_django import DjangoDbBlocker

from opencsms.core.models import User
from opencsms.organisation.models import Project, Role
from opencsms.tara import services
from opencsms.tara.models import Tara
from tests.factories.core import make_user
from tests.factories.organisation import Tree, make_membership, make_tree
from tests.factories.workspace import Workspace, fresh, make_workspace
from tests.paths import EXAMPLES
from tests.shared_world import rolled_back

REFERENCE = EXAMPLES / "connected-ev.tara.yaml"


@dataclass(frozen=True)
class Team:
    tree: Tree
    engineer: User
    reviewer: User
    manager: User
    auditor: User
    outsider: User

    @property
    def project(self) -> Project:
        return self.tree.project


@pytest.fixture
def team(db: None) -> Team:
    tree = make_tree()
    people = {role: make_user(role.value) for role in (Role.ENGINEER, Role.REVIEWER, Role.AUDITOR)}
    for role, user in people.items():
        make_membership(user, tree.project, role)
    manager = make_user("manager")
    make_membership(manager, tree.business_unit, Role.CYBERSECURITY_MANAGER)
    outsider = make_user("outsider")
    make_membership(outsider, tree.other_project, Role.ENGINEER)
    return Team(tree, people[Role.ENGINEER], people[Role.REVIEWER], manager, people[Role.AUDITOR], outsider)


def import_file(team: Team, path: Path = REFERENCE) -> Tara:
    return services.import_tara(
        actor=team.engineer, project_id=team.project.pk, raw=path.read_bytes(), filename=path.name
    )


@pytest.fixture
def reference(team: Team) -> Tara:
    return import_file(team)


@pytest.fixture(scope="module")
def module_workspace(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[Workspace]:
    """The workspace, built once per module (importing the reference costs a second or more), each test's
    writes undone after it (tests/shared_world.py)."""
    with rolled_back(django_db_blocker):
        yield make_workspace()


@pytest.fixture
def workspace(module_workspace: Workspace, db: None) -> Workspace:
    """The page tests' world: one user per role around the reference TARA (tests/factories/workspace.py),
    its rows read again for each test (an earlier test's objects may hold what its savepoint undid)."""
    return fresh(module_workspace)
