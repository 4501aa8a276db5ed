"""The account page and the user administration make as many queries for 20 rows (tokens, users) as for 1."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opencsms.core.models import User
from tests.factories.core import logged_in, make_admin, make_token, make_user

pytestmark = pytest.mark.django_db
Build = Callable[[int], tuple[User, str]]


def account(rows: int) -> tuple[User, str]:
    user = make_user()
    for _ in range(rows):
        make_token(user)
    return user, "/account/"


def users(rows: int) -> tuple[User, str]:
    for _ in range(rows):
        make_user(last_login=None)
    return make_admin(), "/users/"


def _queries(build: Build, rows: int) -> int:
    user, path = build(rows)
    client = logged_in(user)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


@pytest.mark.parametrize("build", [account, users])
def test_as_many_queries_for_20_rows_as_for_1(build: Build) -> None:
    assert _queries(build, 1) == _queries(build, 20)
