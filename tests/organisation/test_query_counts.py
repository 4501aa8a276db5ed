"""Every page's query count is the same for 1 and 20 rows (no N+1)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from opencsms.core.models import User
from opencsms.organisation import services
from opencsms.organisation.models import Level, Role
from tests.factories.core import make_admin, make_user
from tests.factories.organisation import make_business_unit, make_membership, make_organisation, make_project

pytestmark = pytest.mark.django_db


def queries(client: Client, path: str, **headers: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path, **headers).status_code == 200
    return len(captured)


def counts(build: Callable[[int], tuple[User, str]], **headers: str) -> tuple[int, int]:
    found = []
    for rows in (1, 20):
        user, path = build(rows)
        client = Client()
        client.force_login(user)
        found.append(queries(client, path, **headers))
    return found[0], found[1]


def organisations(rows: int) -> tuple[User, str]:
    auditor = make_user()
    for _ in range(rows):
        make_membership(auditor, make_organisation(), Role.AUDITOR)
    return auditor, "/organisations/"


def dashboard(rows: int) -> tuple[User, str]:
    engineer = make_user()
    unit = make_business_unit()
    make_membership(engineer, unit, Role.ENGINEER)
    for _ in range(rows):
        make_project(unit)
    return engineer, "/"


def project_members(rows: int) -> tuple[User, str]:
    project = make_project()
    manager = make_user()
    make_membership(manager, project, Role.CYBERSECURITY_MANAGER)
    for _ in range(rows):
        make_membership(make_user(), project, Role.ENGINEER)
    return manager, f"/projects/{project.pk}/"


def audit_log(rows: int) -> tuple[User, str]:
    admin, project = make_admin(), make_project()
    auditor = make_user()
    make_membership(auditor, project, Role.AUDITOR)
    for _ in range(rows):
        services.add_member(
            actor=admin, level=Level.PROJECT, level_id=project.pk, user_id=make_user().pk, role=Role.ENGINEER
        )
    return auditor, "/audit/"


@pytest.mark.parametrize("build", [organisations, dashboard, project_members, audit_log])
def test_pages_make_as_many_queries_for_20_rows_as_for_1(build: Callable[[int], tuple[User, str]]) -> None:
    one, twenty = counts(build)
    assert one == twenty
