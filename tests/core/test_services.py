"""Core services: permission checks, errors, and one audit record with actor and correlation id each."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opencsms.core import audit, selectors, services
from opencsms.core.audit import AuditAction
from opencsms.core.errors import Conflict, Invalid, NotFound
from opencsms.core.models import ApiToken, ChangeRecord, User
from tests.factories.core import make_admin, make_token, make_user

pytestmark = pytest.mark.django_db


def test_create_user_is_audited_with_actor_and_correlation_id() -> None:
    admin = make_admin("root")
    with audit.correlation("req-7"):
        user = services.create_user(
            actor=admin, username="eve", email="eve@example.org", password="s3cret-pw!"
        )
    assert user.check_password("s3cret-pw!")
    entry = ChangeRecord.objects.get()
    assert (entry.action, entry.actor, entry.actor_name, entry.correlation_id) == (
        AuditAction.USER_CREATED,
        admin,
        "root",
        "req-7",
    )
    assert (entry.object_type, entry.object_id, entry.object_repr) == ("core.user", str(user.pk), "eve")
    assert entry.after is not None
    assert entry.after["email"] == "eve@example.org"
    assert "password" not in entry.after
    assert audit.verify_chain() == []


def test_a_user_without_password_cannot_log_in_with_one() -> None:
    user = services.create_user(actor=make_admin(), username="bot")
    assert not user.has_usable_password()


def test_only_administrators_create_users() -> None:
    with pytest.raises(PermissionDenied):
        services.create_user(actor=make_user(), username="eve")
    assert not User.objects.filter(username="eve").exists()
    assert not ChangeRecord.objects.exists()


@pytest.mark.parametrize(("username", "error"), [("", Invalid), ("no spaces", Invalid), ("taken", Conflict)])
def test_create_user_refuses_bad_or_taken_names(username: str, error: type[Exception]) -> None:
    make_user("taken")
    with pytest.raises(error):
        services.create_user(actor=make_admin(), username=username)
    assert not ChangeRecord.objects.exists()


def test_api_token_is_stored_as_a_hash_and_audited() -> None:
    user = make_user("carol")
    with audit.correlation("req-9"):
        token, plain = services.create_api_token(actor=user, name="ci")
    assert plain.startswith("ocs_")
    assert len(plain) > 40
    assert token.token_sha256 == services.token_digest(plain)
    assert plain not in str(ApiToken.objects.values().get())
    entry = ChangeRecord.objects.get()
    assert (entry.action, entry.actor, entry.correlation_id) == (AuditAction.TOKEN_CREATED, user, "req-9")
    assert entry.after == {"name": "ci", "user": user.pk}


@pytest.mark.parametrize(("name", "error"), [("  ", Invalid), ("ci", Conflict)])
def test_api_token_names_are_required_and_unique_per_user(name: str, error: type[Exception]) -> None:
    user = make_user()
    make_token(user, "ci")
    with pytest.raises(error):
        services.create_api_token(actor=user, name=name)
    make_token(make_user(), "ci")  # another user may reuse the name


def test_use_api_token_returns_its_user_and_notes_the_use() -> None:
    user = make_user()
    token, plain = make_token(user)
    assert services.use_api_token(token=plain) == user
    token.refresh_from_db()
    assert token.last_used is not None
    assert services.use_api_token(token=plain + "x") is None


def test_use_api_token_refuses_an_inactive_user() -> None:
    user = make_user(is_active=False)
    _, plain = make_token(user)
    assert services.use_api_token(token=plain) is None


def test_last_used_is_written_at_most_once_a_minute() -> None:
    token, plain = make_token(make_user())
    services.use_api_token(token=plain)
    with CaptureQueriesContext(connection) as fresh:
        services.use_api_token(token=plain)
    ApiToken.objects.filter(pk=token.pk).update(last_used=token.created - timedelta(minutes=5))
    with CaptureQueriesContext(connection) as stale:
        services.use_api_token(token=plain)
    assert [q["sql"].split()[0] for q in fresh.captured_queries] == ["SELECT"]
    assert any(q["sql"].startswith("UPDATE") for q in stale.captured_queries)


def test_revoking_a_token_is_audited_and_the_token_stops_working() -> None:
    user = make_user()
    token, plain = make_token(user, "laptop")
    services.revoke_api_token(actor=user, token_id=token.pk)
    assert services.use_api_token(token=plain) is None
    entry = ChangeRecord.objects.get(action=AuditAction.TOKEN_REVOKED)
    assert (entry.actor, entry.object_id, entry.before) == (
        user,
        str(token.pk),
        {"name": "laptop", "user": user.pk},
    )
    assert audit.verify_chain() == []


def test_another_users_token_is_not_found_but_an_administrator_may_revoke_it() -> None:
    token, _ = make_token(make_user())
    with pytest.raises(NotFound):
        services.revoke_api_token(actor=make_user(), token_id=token.pk)
    services.revoke_api_token(actor=make_admin(), token_id=token.pk)
    assert not ApiToken.objects.exists()


def test_api_tokens_selector_is_scoped_to_the_user() -> None:
    alice, bob, admin = make_user(), make_user(), make_admin()
    make_token(alice, "a")
    make_token(bob, "b")
    assert [t.name for t in selectors.api_tokens(alice)] == ["a"]
    assert sorted(t.name for t in selectors.api_tokens(admin)) == ["a", "b"]
