"""Writes of the organisation app. Each is atomic, checks the actor's permission first and is audited.

Creating an organisation is for superusers; creating a business unit or project needs `ADMINISTER` on the
level above; managing members needs `MANAGE_MEMBERS` on the level, and `ADMINISTER` when the administrator
role is granted or taken away. An organisation never loses its last administrator.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.text import slugify

from opencsms.core import audit, versions
from opencsms.core.audit import AuditAction
from opencsms.core.errors import Conflict, Invalid, NotFound
from opencsms.core.models import User
from opencsms.organisation import selectors
from opencsms.organisation.access import Perm, require
from opencsms.organisation.models import (
    BusinessUnit,
    Level,
    LevelObject,
    Membership,
    Organisation,
    Project,
    Role,
)


@transaction.atomic
def create_organisation(
    *, actor: User, name: str, slug: str = "", administrator_id: int | None = None
) -> Organisation:
    """A new organisation (superusers only), with its first administrator when one is named."""
    if not actor.is_superuser:
        raise PermissionDenied("only superusers may create organisations")
    name, slug = _name_and_slug(name, slug)
    if Organisation.objects.filter(slug=slug).exists():
        raise Conflict(f"an organisation {slug!r} exists")
    organisation = Organisation.objects.create(name=name, slug=slug)
    _record_created(actor, AuditAction.ORGANISATION_CREATED, organisation)
    if administrator_id is not None:
        _add(actor, organisation, _active_user(administrator_id), Role.ADMINISTRATOR)
    return organisation


@transaction.atomic
def create_business_unit(*, actor: User, organisation_id: int, name: str, slug: str = "") -> BusinessUnit:
    organisation = selectors.level(actor, Level.ORGANISATION, organisation_id)
    require(actor, Perm.ADMINISTER, organisation)
    name, slug = _name_and_slug(name, slug)
    if BusinessUnit.objects.filter(organisation_id=organisation.pk, slug=slug).exists():
        raise Conflict(f"the organisation has a business unit {slug!r}")
    unit = BusinessUnit.objects.create(organisation_id=organisation.pk, name=name, slug=slug)
    _record_created(actor, AuditAction.BUSINESS_UNIT_CREATED, unit)
    return unit


@transaction.atomic
def create_project(*, actor: User, business_unit_id: int, name: str, slug: str = "") -> Project:
    unit = selectors.level(actor, Level.BUSINESS_UNIT, business_unit_id)
    require(actor, Perm.ADMINISTER, unit)
    name, slug = _name_and_slug(name, slug)
    if Project.objects.filter(business_unit_id=unit.pk, slug=slug).exists():
        raise Conflict(f"the business unit has a project {slug!r}")
    project = Project.objects.create(business_unit_id=unit.pk, name=name, slug=slug)
    _record_created(actor, AuditAction.PROJECT_CREATED, project)
    return project


@transaction.atomic
def add_member(*, actor: User, level: Level, level_id: int, user_id: int, role: Role) -> Membership:
    """Give a user a role at a level (and so below it)."""
    level_obj = selectors.level(actor, level, level_id)
    _require_managing(actor, level_obj, role)
    user = _active_user(user_id)
    if selectors.memberships(actor, level_obj).filter(user=user).exists():
        raise Conflict(f"{user} is already a member of {level_obj.scope}")
    return _add(actor, level_obj, user, role)


@transaction.atomic
def change_role(
    *, actor: User, level: Level, level_id: int, user_id: int, role: Role, expected: str | None = None
) -> Membership:
    """Change a member's role; `expected`: the membership's version the change was made from (`Stale`
    when it changed since)."""
    level_obj = selectors.level(actor, level, level_id)
    membership = _locked_membership(actor, level_obj, user_id)
    _require_managing(actor, level_obj, Role(membership.role), role)
    versions.check(
        membership, f"the membership of {membership.user}", expected=expected, current=membership.version,
        stored={"role": membership.role}, yours={"role": role},
    )  # fmt: skip
    if role != Role.ADMINISTRATOR:
        _keep_an_administrator(level_obj, membership)
    before = audit.snapshot(membership)
    membership.role, membership.version = role, membership.version + 1
    membership.save(update_fields=["role", "version"])
    audit.record(
        actor=actor,
        action=AuditAction.MEMBER_ROLE_CHANGED,
        obj=membership,
        before=before,
        after=audit.snapshot(membership),
        scope=membership.scope,
    )
    return membership


@transaction.atomic
def remove_member(*, actor: User, level: Level, level_id: int, user_id: int) -> None:
    level_obj = selectors.level(actor, level, level_id)
    membership = _locked_membership(actor, level_obj, user_id)
    _require_managing(actor, level_obj, Role(membership.role))
    _keep_an_administrator(level_obj, membership)
    audit.record(
        actor=actor,
        action=AuditAction.MEMBER_REMOVED,
        obj=membership,
        before=audit.snapshot(membership),
        scope=membership.scope,
    )
    membership.delete()


def _require_managing(actor: User, level_obj: LevelObject, *roles: Role) -> None:
    require(actor, Perm.MANAGE_MEMBERS, level_obj)
    if Role.ADMINISTRATOR in roles:
        require(actor, Perm.ADMINISTER, level_obj)
    if Role.SUPPLIER_GUEST in roles and type(level_obj).level != Level.PROJECT:
        raise Invalid("a supplier guest is invited to a project, never to the levels above it")


def _add(actor: User, level_obj: LevelObject, user: User, role: Role) -> Membership:
    membership = Membership.objects.create(user=user, role=role, **{type(level_obj).level: level_obj})
    audit.record(
        actor=actor,
        action=AuditAction.MEMBER_ADDED,
        obj=membership,
        after=audit.snapshot(membership),
        scope=membership.scope,
    )
    return membership


def _locked_membership(actor: User, level_obj: LevelObject, user_id: int) -> Membership:
    members = selectors.memberships(actor, level_obj).select_for_update(of=("self",))
    found = members.filter(user_id=user_id).first()
    if found is None:
        raise NotFound(f"user {user_id} is not a member of {level_obj.scope}")
    return found


def _keep_an_administrator(level_obj: LevelObject, leaving: Membership) -> None:
    """Refuse to take the last administrator role away from an organisation."""
    if not isinstance(level_obj, Organisation) or leaving.role != Role.ADMINISTRATOR:
        return
    administrators = Membership.objects.select_for_update().filter(
        organisation_id=level_obj.pk, role=Role.ADMINISTRATOR
    )
    if not administrators.exclude(pk=leaving.pk).exists():
        raise Conflict(f"{level_obj} must keep at least one administrator")


def _active_user(user_id: int) -> User:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise NotFound(f"no active user {user_id}")
    return user


def _name_and_slug(name: str, slug: str) -> tuple[str, str]:
    name = name.strip()
    if not name:
        raise Invalid("a name is required")
    slug = slug.strip() or slugify(name)
    if not slug or slug != slugify(slug):
        raise Invalid(f"invalid slug {slug!r}: use lower-case letters, digits and hyphens")
    return name, slug


def _record_created(actor: User, action: AuditAction, obj: LevelObject) -> None:
    audit.record(actor=actor, action=action, obj=obj, after=audit.snapshot(obj), scope=obj.scope)
