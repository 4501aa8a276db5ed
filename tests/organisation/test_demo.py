"""Demo data: made through the audited services, idempotent, refused in production."""

from __future__ import annotations

import pytest
from django.conf import settings

from opencsms.config.env import Settings
from opencsms.core import audit
from opencsms.core.errors import Invalid
from opencsms.core.models import ChangeRecord, User
from opencsms.core.services import system_user
from opencsms.organisation import access
from opencsms.organisation.demo import DEMO_USERS, load_demo
from opencsms.organisation.models import Membership, Role

pytestmark = pytest.mark.django_db


def test_load_demo_creates_one_user_per_role_and_is_idempotent() -> None:
    demo = load_demo(actor=system_user())
    assert (str(demo.organisation), str(demo.business_unit), str(demo.project)) == (
        "Demo Motors",
        "E/E Platform",
        "Connected EV",
    )
    records = ChangeRecord.objects.count()
    assert {Role(m.role) for m in Membership.objects.all()} == set(Role)
    for demo_user in DEMO_USERS:
        assert User.objects.get(username=demo_user.username).check_password(demo_user.password)
    engineer = User.objects.get(username="engineer")
    assert access.Perm.EDIT in access.permissions(engineer, demo.project)
    again = load_demo(actor=system_user())
    assert again.project == demo.project
    assert ChangeRecord.objects.count() == records
    assert audit.verify_chain() == []


def test_load_demo_is_refused_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    production = Settings(env="production", secret_key="x" * 40)  # type: ignore[arg-type]
    monkeypatch.setattr(settings, "ENV", production)
    with pytest.raises(Invalid, match="refused"):
        load_demo(actor=system_user())
    assert not User.objects.filter(username="engineer").exists()
