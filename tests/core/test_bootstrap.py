"""The first actor: the system user records its own creation; superusers are made by it, audited."""

from __future__ import annotations

import pytest

from opencsms.core import audit, services
from opencsms.core.audit import AuditAction
from opencsms.core.errors import Invalid
from opencsms.core.models import ChangeRecord

pytestmark = pytest.mark.django_db


def test_the_system_user_is_created_once_and_audits_its_own_creation() -> None:
    system = services.system_user()
    assert services.system_user() == system
    assert (system.is_superuser, system.is_active, system.has_usable_password()) == (True, False, False)
    record = ChangeRecord.objects.get()
    assert (record.action, record.actor, record.object_id) == (
        AuditAction.USER_CREATED,
        system,
        str(system.pk),
    )


def test_create_superuser_is_audited_as_made_by_the_system_user() -> None:
    admin = services.create_superuser(username="root", password="a-long-enough-password-1", email="r@x.org")
    assert (admin.is_superuser, admin.is_staff, admin.check_password("a-long-enough-password-1")) == (
        True,
        True,
        True,
    )
    created = ChangeRecord.objects.order_by("seq").last()
    assert created is not None
    assert (created.actor.username, created.object_repr) == (services.SYSTEM_USERNAME, "root")
    assert audit.verify_chain() == []


def test_create_superuser_refuses_a_weak_password() -> None:
    with pytest.raises(Invalid, match="too short"):
        services.create_superuser(username="root", password="abc")
