"""Small typed builders of core rows for tests (users directly; audited rows through the real services)."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.test import Client

from opencsms.core import audit, services
from opencsms.core.audit import AuditAction
from opencsms.core.models import ApiToken, ChangeRecord, User

_numbers = itertools.count(1)


def make_user(username: str | None = None, *, admin: bool = False, **fields: Any) -> User:
    """A user without a password (tests log in with `force_login` or a token)."""
    name = username or f"user{next(_numbers)}"
    user = User(username=name, **{"is_staff": admin, "is_superuser": admin, **fields})
    user.set_unusable_password()
    user.save()
    return user


def make_admin(username: str | None = None) -> User:
    return make_user(username or f"admin{next(_numbers)}", admin=True)


def make_token(user: User, name: str | None = None) -> tuple[ApiToken, str]:
    """A token of `user`, made by the service: (the row, the plain token)."""
    return services.create_api_token(actor=user, name=name or f"token{next(_numbers)}")


def make_records(actor: User, count: int, *, scope: str = "") -> list[ChangeRecord]:
    """`count` audit records of made-up objects, each in its own transaction."""
    records = []
    for index in range(count):
        with transaction.atomic():
            records.append(
                audit.record(
                    actor=actor,
                    action=AuditAction.USER_CREATED,
                    object_type="test.thing",
                    object_id=str(index),
                    object_repr=f"thing {index}",
                    after={"index": index, "ratio": index / 3, "tags": ["a", "b"]},
                    scope=scope,
                )
            )
    return records


def raw_sql(sql: str, params: list[Any] | None = None) -> None:
    """Run SQL behind the ORM's back, as someone tampering with the database would."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def logged_in(user: User) -> Client:
    """A test client signed in as `user`."""
    client = Client()
    client.force_login(user)
    return client


def race(*writes: Callable[[], object]) -> list[object]:
    """Run `writes` in threads that start together (each on its own database connection); what each
    returned or raised, in order. For PostgreSQL only: SQLite's in-memory test database is per thread."""
    start = threading.Barrier(len(writes))
    outcomes: list[object] = [None] * len(writes)

    def run(index: int) -> None:
        try:
            start.wait()
            outcomes[index] = writes[index]()
        except Exception as exc:  # the caller looks at what each write ended with
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(writes))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes
