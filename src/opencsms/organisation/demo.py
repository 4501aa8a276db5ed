"""Demo data: the organisation "Demo Motors" with one user per role, created through the audited services.

`load_demo()` is idempotent: it creates what is missing and leaves what exists (an existing demo user keeps
the password it has). The fixed passwords exist only here and are refused in production.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from opencsms.core import selectors as core_selectors
from opencsms.core import services as core_services
from opencsms.core.errors import Invalid
from opencsms.core.models import User
from opencsms.organisation import selectors, services
from opencsms.organisation.models import BusinessUnit, Level, LevelObject, Organisation, Project, Role

ORGANISATION, BUSINESS_UNIT, PROJECT = "Demo Motors", "E/E Platform", "Connected EV"


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: Role
    level: Level


DEMO_USERS = (
    DemoUser("admin", "admin-demo-2026", Role.ADMINISTRATOR, Level.ORGANISATION),
    DemoUser("manager", "manager-demo-2026", Role.CYBERSECURITY_MANAGER, Level.BUSINESS_UNIT),
    DemoUser("engineer", "engineer-demo-2026", Role.ENGINEER, Level.PROJECT),
    DemoUser("reviewer", "reviewer-demo-2026", Role.REVIEWER, Level.PROJECT),
    DemoUser("auditor", "auditor-demo-2026", Role.AUDITOR, Level.ORGANISATION),
    DemoUser("supplier", "supplier-demo-2026", Role.SUPPLIER_GUEST, Level.PROJECT),
)


@dataclass(frozen=True)
class Demo:
    """What `load_demo` made or found: the levels and the demo users with their passwords."""

    organisation: Organisation
    business_unit: BusinessUnit
    project: Project
    users: tuple[DemoUser, ...]


@transaction.atomic
def load_demo(*, actor: User) -> Demo:
    """Create the demo organisation, business unit, project and users (idempotent; not in production).

    The returned `Demo.project` is where the reference TARA belongs (the caller imports it).
    """
    if settings.ENV.is_production:
        raise Invalid("demo data with published passwords is refused with OPENCSMS_ENV=production")
    organisation = selectors.organisations(actor).filter(name=ORGANISATION).first()
    if organisation is None:
        organisation = services.create_organisation(actor=actor, name=ORGANISATION)
    unit = selectors.business_units(actor, organisation_id=organisation.pk).filter(name=BUSINESS_UNIT).first()
    if unit is None:
        unit = services.create_business_unit(actor=actor, organisation_id=organisation.pk, name=BUSINESS_UNIT)
    project = selectors.projects(actor, business_unit_id=unit.pk).filter(name=PROJECT).first()
    if project is None:
        project = services.create_project(actor=actor, business_unit_id=unit.pk, name=PROJECT)
    levels: dict[Level, LevelObject] = {
        Level.ORGANISATION: organisation,
        Level.BUSINESS_UNIT: unit,
        Level.PROJECT: project,
    }
    for demo_user in DEMO_USERS:
        _ensure_member(actor, demo_user, levels[demo_user.level])
    return Demo(organisation, unit, project, DEMO_USERS)


def _ensure_member(actor: User, demo_user: DemoUser, level_obj: LevelObject) -> None:
    user = core_selectors.active_users().filter(username=demo_user.username).first()
    if user is None:
        user = core_services.create_user(
            actor=actor, username=demo_user.username, password=demo_user.password
        )
    if not selectors.memberships(actor, level_obj).filter(user=user).exists():
        services.add_member(
            actor=actor, level=demo_user.level, level_id=level_obj.pk, user_id=user.pk, role=demo_user.role
        )
