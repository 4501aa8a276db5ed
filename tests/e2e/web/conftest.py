"""Fixtures of the TARA page tests: the organisation tree with one user per role and the reference model
imported into its project by the engineer."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client

from opencsms.core.models import User
from opencsms.products.models import Role
from opencsms.tara import services
from opencsms.tara.models import Tara
from tests.factories.products import Tree, make_matrix_user, make_tree

REFERENCE = Path(__file__).resolve().parents[3] / "examples" / "connected-ev.tara.yaml"


@dataclass(frozen=True)
class Workspace:
    tree: Tree
    tara: Tara
    users: dict[str, User]

    def client(self, who: str) -> Client:
        client = Client()
        client.force_login(self.users[who] if who in self.users else make_matrix_user(self.tree, who))
        return client


@pytest.fixture
def workspace(db: None) -> Workspace:
    tree = make_tree()
    users = {role: make_matrix_user(tree, role) for role in Role.values}
    tara = services.import_tara(
        actor=users[Role.ENGINEER],
        project_id=tree.project.pk,
        raw=REFERENCE.read_bytes(),
        filename=REFERENCE.name,
    )
    return Workspace(tree, tara, users)
