"""The account services: a person's own profile and password; the user administration of superusers
(create with a password, deactivate and activate, reset a password). Every change audited with its actor."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from opencsms.core import services
from opencsms.core.audit import AuditAction
from opencsms.core.errors import Conflict, Invalid, NotFound
from opencsms.core.models import ChangeRecord, User
from tests.factories.core import make_admin, make_token, make_user

pytestmark = pytest.mark.django_db
GOOD = "Tulip-Orbit-4417"


def _records(action: AuditAction) -> list[ChangeRecord]:
    return list(ChangeRecord.objects.filter(action=action).order_by("seq"))


def test_a_profile_change_is_audited_with_before_and_after_and_no_change_writes_nothing() -> None:
    dora = make_user("dora")
    services.update_profile(actor=dora, first_name=" Dora ", last_name="Diaz", email="dora@example.org")
    dora.refresh_from_db()
    assert (dora.first_name, dora.last_name, dora.email) == ("Dora", "Diaz", "dora@example.org")
    [entry] = _records(AuditAction.USER_UPDATED)
    assert (entry.actor, entry.object_id) == (dora, str(dora.pk))
    assert entry.changes == [
        ("email", "", "dora@example.org"),
        ("first_name", "", "Dora"),
        ("last_name", "", "Diaz"),
    ]
    services.update_profile(actor=dora, first_name="Dora", last_name="Diaz", email="dora@example.org")
    assert len(_records(AuditAction.USER_UPDATED)) == 1


def test_a_password_change_needs_the_current_password_and_passes_the_rules() -> None:
    dora = make_user("dora")
    dora.set_password("Old-Harbour-2026")
    dora.save()
    with pytest.raises(Invalid, match="current password is not correct"):
        services.change_password(actor=dora, current="wrong", new=GOOD)
    with pytest.raises(Invalid, match="too short"):
        services.change_password(actor=dora, current="Old-Harbour-2026", new="ab1")
    assert _records(AuditAction.USER_PASSWORD_CHANGED) == []
    services.change_password(actor=dora, current="Old-Harbour-2026", new=GOOD)
    dora.refresh_from_db()
    assert dora.check_password(GOOD)
    [entry] = _records(AuditAction.USER_PASSWORD_CHANGED)
    assert (entry.actor, entry.before, entry.after) == (dora, None, None)  # no password in the trail


def test_a_superuser_registers_a_user_with_a_valid_password_and_names() -> None:
    root = make_admin("root")
    user = services.register_user(
        actor=root,
        username="erin",
        email="erin@example.org",
        first_name="Erin",
        last_name="Ek",
        password=GOOD,
    )
    assert (user.get_full_name(), user.check_password(GOOD), user.is_superuser) == ("Erin Ek", True, False)
    assert [r.action for r in ChangeRecord.objects.filter(object_id=str(user.pk))] == [
        AuditAction.USER_CREATED,
        AuditAction.USER_UPDATED,
    ]
    with pytest.raises(Invalid, match="too similar"):
        services.register_user(actor=root, username="frankfurter", password="frankfurter1")
    with pytest.raises(Conflict, match="taken"):
        services.register_user(actor=root, username="erin", password=GOOD)
    with pytest.raises(PermissionDenied):
        services.register_user(actor=make_user(), username="gail", password=GOOD)
    assert not User.objects.filter(username__in=["frankfurter", "gail"]).exists()


def test_a_deactivated_user_cannot_use_a_token_and_is_activated_again() -> None:
    root, dora = make_admin("root"), make_user("dora")
    _, plain = make_token(dora)
    services.set_user_active(actor=root, user_id=dora.pk, active=False)
    assert services.use_api_token(token=plain) is None
    services.set_user_active(actor=root, user_id=dora.pk, active=False)  # already: nothing recorded
    services.set_user_active(actor=root, user_id=dora.pk, active=True)
    assert services.use_api_token(token=plain) == dora
    assert [r.action for r in ChangeRecord.objects.filter(object_id=str(dora.pk)).order_by("seq")][-2:] == [
        AuditAction.USER_DEACTIVATED,
        AuditAction.USER_ACTIVATED,
    ]


def test_deactivation_is_refused_for_oneself_the_system_user_and_non_superusers() -> None:
    root = make_admin("root")
    with pytest.raises(Conflict, match="your own account"):
        services.set_user_active(actor=root, user_id=root.pk, active=False)
    with pytest.raises(NotFound):
        services.set_user_active(actor=root, user_id=services.system_user().pk, active=True)
    with pytest.raises(PermissionDenied):
        services.set_user_active(actor=make_user(), user_id=root.pk, active=False)
    root.refresh_from_db()
    assert root.is_active


def test_a_superuser_resets_a_password_audited_without_the_password() -> None:
    root, dora = make_admin("root"), make_user("dora")
    with pytest.raises(Invalid):
        services.reset_password(actor=root, user_id=dora.pk, password="123")
    with pytest.raises(PermissionDenied):
        services.reset_password(actor=dora, user_id=dora.pk, password=GOOD)
    services.reset_password(actor=root, user_id=dora.pk, password=GOOD)
    dora.refresh_from_db()
    assert dora.check_password(GOOD)
    [entry] = _records(AuditAction.USER_PASSWORD_RESET)
    assert (entry.actor, entry.object_id, entry.after) == (root, str(dora.pk), None)
