"""Who may do what, where: the role -> permissions table (data) and the checks built on it.

A membership is held at one level and applies to that level and everything below it, except a supplier
guest's, which counts only on the project it is held at (a guest sees only what is shared with them).
`GRANTS[role][kind]` is what a role holds on an object of that kind. Superusers hold everything.

- `scope(queryset, user, perm)` narrows organisations, business units or projects to those where the user
  holds `perm`, in one query (subqueries on the user's memberships, no N+1).
- `holders(perm, obj)` is the other direction: the users who hold `perm` on `obj` (one query).
- `require(actor, perm, obj)` raises `NotFound` (404) when the actor may not even see `obj` and
  `PermissionDenied` (403) when they may see it but not do this.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from enum import StrEnum
from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from opencsms.core.errors import NotFound
from opencsms.core.models import User
from opencsms.organisation.models import (
    BusinessUnit,
    Level,
    LevelObject,
    Membership,
    Organisation,
    Project,
    Role,
)


class Perm(StrEnum):
    VIEW = "view"  # see the level, its contents and its members
    EDIT = "edit"  # change the work (TARA) at the level
    REVIEW = "review"  # comment on and review work sent for review
    APPROVE = "approve"  # approve reviewed work (never one's own submission: see tara.services.review)
    MANAGE_MEMBERS = "manage_members"  # add, change and remove members (except administrators)
    ADMINISTER = "administer"  # create the levels below; grant and revoke the administrator role


_ALL = frozenset(Perm)
_WORKER = frozenset({Perm.VIEW, Perm.EDIT})
_MANAGER = frozenset({Perm.VIEW, Perm.EDIT, Perm.REVIEW, Perm.APPROVE})
_EVERY_LEVEL = (Level.ORGANISATION, Level.BUSINESS_UNIT, Level.PROJECT)
_NOTHING: frozenset[Perm] = frozenset()

GRANTS: dict[Role, dict[Level, frozenset[Perm]]] = {
    Role.ADMINISTRATOR: dict.fromkeys(_EVERY_LEVEL, _ALL),
    Role.CYBERSECURITY_MANAGER: {
        Level.ORGANISATION: _MANAGER,
        Level.BUSINESS_UNIT: _MANAGER | {Perm.MANAGE_MEMBERS},
        Level.PROJECT: _MANAGER | {Perm.MANAGE_MEMBERS},
    },
    Role.ENGINEER: dict.fromkeys(_EVERY_LEVEL, _WORKER),
    Role.REVIEWER: dict.fromkeys(_EVERY_LEVEL, frozenset({Perm.VIEW, Perm.REVIEW, Perm.APPROVE})),
    Role.AUDITOR: dict.fromkeys(_EVERY_LEVEL, frozenset({Perm.VIEW})),
    Role.SUPPLIER_GUEST: {
        Level.ORGANISATION: _NOTHING,
        Level.BUSINESS_UNIT: _NOTHING,
        Level.PROJECT: frozenset({Perm.VIEW}),
    },
}
DIRECT_ONLY: frozenset[Role] = frozenset({Role.SUPPLIER_GUEST})
"""Roles whose membership counts only at the level it is held at, never below it."""

# For an object of each kind: (membership field, path from the object to that level's id), itself first.
_ANCESTRY: dict[Level, tuple[tuple[str, str], ...]] = {
    Level.ORGANISATION: (("organisation", "pk"),),
    Level.BUSINESS_UNIT: (("business_unit", "pk"), ("organisation", "organisation_id")),
    Level.PROJECT: (
        ("project", "pk"),
        ("business_unit", "business_unit_id"),
        ("organisation", "business_unit__organisation_id"),
    ),
}

LevelT = TypeVar("LevelT", Organisation, BusinessUnit, Project)


def roles_granting(perm: Perm, kind: Level, *, inherited: bool) -> list[Role]:
    """The roles that give `perm` on an object of `kind`, held on it (or above it when `inherited`)."""
    return [
        role
        for role, grants in GRANTS.items()
        if perm in grants[kind] and not (inherited and role in DIRECT_ONLY)
    ]


def scope(queryset: QuerySet[LevelT], user: User, perm: Perm) -> QuerySet[LevelT]:
    """The rows of `queryset` (organisations, business units or projects) on which `user` holds `perm`."""
    if user.is_superuser:
        return queryset
    kind = queryset.model.level
    condition = Q(pk__in=[])
    for index, (field, path) in enumerate(_ANCESTRY[kind]):
        roles = roles_granting(perm, kind, inherited=index > 0)
        held = Membership.objects.filter(user=user, role__in=roles, **{f"{field}__isnull": False})
        condition |= Q(**{f"{path}__in": held.values(f"{field}_id")})
    return queryset.filter(condition)


def _chain(obj: LevelObject) -> Iterator[tuple[str, object]]:
    """(membership field, level id) of `obj` and of each level above it, itself first."""
    for field, path in _ANCESTRY[type(obj).level]:
        yield field, obj.pk if path == "pk" else _follow(obj, path)


def permissions(user: User, obj: LevelObject) -> frozenset[Perm]:
    """Everything `user` may do on `obj` (one query for the memberships on it and above it)."""
    if user.is_superuser:
        return _ALL
    kind = type(obj).level
    levels = Q(pk__in=[])
    for field, level_id in _chain(obj):
        levels |= Q(**{f"{field}_id": level_id})
    held: set[Perm] = set()
    for membership in Membership.objects.filter(levels, user=user):
        direct = membership.scope == obj.scope
        if direct or Role(membership.role) not in DIRECT_ONLY:
            held |= GRANTS[Role(membership.role)][kind]
    return frozenset(held)


def holders(perm: Perm, obj: LevelObject, *, roles: Collection[Role] | None = None) -> QuerySet[User]:
    """The active users who hold `perm` on `obj`, as `permissions` decides: a membership granting it on
    `obj` or above it (a `DIRECT_ONLY` role's only on `obj` itself), or being a superuser. With `roles`
    only memberships in those roles count (superusers, who hold no role, are then left out)."""
    kind = type(obj).level
    held = Q(pk__in=[])
    for index, (field, level_id) in enumerate(_chain(obj)):
        granting = roles_granting(perm, kind, inherited=index > 0)
        chosen = [role for role in granting if roles is None or role in roles]
        held |= Q(role__in=chosen, **{f"{field}_id": level_id})
    who = Q(pk__in=Membership.objects.filter(held).values("user_id"))
    if roles is None:
        who |= Q(is_superuser=True)
    return User.objects.filter(who, is_active=True)


def require(actor: User, perm: Perm, obj: LevelObject) -> None:
    """Refuse unless `actor` holds `perm` on `obj`: 404 when they cannot see it, else 403."""
    held = permissions(actor, obj)
    if perm in held:
        return
    if Perm.VIEW not in held:
        raise NotFound(f"no {type(obj).level.label.lower()} {obj.pk}")
    raise PermissionDenied(f"you may not {perm.value.replace('_', ' ')} on {obj.scope}")


def _follow(obj: LevelObject, path: str) -> object:
    """The value at a `a__b_id` path from `obj`, through already loaded or lazily loaded relations."""
    *relations, last = path.split("__")
    current: object = obj
    for name in relations:
        current = getattr(current, name)
    return getattr(current, last)
