"""Reads of the organisation app: querysets already scoped to what the user may see, and prefetched."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat

from opencsms.core.errors import NotFound
from opencsms.core.models import User
from opencsms.organisation.access import Perm, permissions, scope
from opencsms.organisation.models import (
    BusinessUnit,
    Level,
    LevelObject,
    Membership,
    Organisation,
    Project,
    Role,
)


def organisations(user: User, *, perm: Perm = Perm.VIEW) -> QuerySet[Organisation]:
    return scope(Organisation.objects.order_by("name", "id"), user, perm)


def business_units(
    user: User, *, organisation_id: int | None = None, perm: Perm = Perm.VIEW
) -> QuerySet[BusinessUnit]:
    units = BusinessUnit.objects.order_by("name", "id")
    if organisation_id is not None:
        units = units.filter(organisation_id=organisation_id)
    return scope(units, user, perm)


def projects(user: User, *, business_unit_id: int | None = None, perm: Perm = Perm.VIEW) -> QuerySet[Project]:
    found = Project.objects.select_related("business_unit").order_by("name", "id")
    if business_unit_id is not None:
        found = found.filter(business_unit_id=business_unit_id)
    return scope(found, user, perm)


def level(user: User, kind: Level, level_id: int) -> LevelObject:
    """The organisation, business unit or project `level_id` if the user may see it, else `NotFound` (404).

    `get_object_or_404` on the scoped queryset, with the domain error, so the CLI and tasks get it too.
    """
    found: LevelObject | None
    if kind == Level.ORGANISATION:
        found = organisations(user).filter(pk=level_id).first()
    elif kind == Level.BUSINESS_UNIT:
        found = business_units(user).filter(pk=level_id).first()
    else:
        found = projects(user).filter(pk=level_id).first()
    if found is None:
        raise NotFound(f"no {kind.label.lower()} {level_id}")
    return found


def memberships(user: User, level_obj: LevelObject) -> QuerySet[Membership]:
    """The memberships held directly at a level, with their users; none when the user may not see it."""
    kind = type(level_obj).level
    visible = _visible_ids(user, kind)
    return (
        Membership.objects.filter(**{f"{kind}_id": level_obj.pk, f"{kind}_id__in": visible})
        .select_related("user")
        .order_by("user__username", "id")
    )


def _visible_ids(user: User, kind: Level) -> QuerySet[Any]:
    if kind == Level.ORGANISATION:
        return organisations(user).values("pk")
    if kind == Level.BUSINESS_UNIT:
        return business_units(user).values("pk")
    return projects(user).values("pk")


def audit_visibility(user: User) -> Q:
    """The filter on `ChangeRecord.scope` of the records the user may read: those recorded at a level they
    may view (auditors included). Superusers read everything, records without a scope too. One subquery per
    kind of level, so the audit pages stay one query whatever the number of levels.
    """
    if user.is_superuser:
        return Q()
    visible = Q(pk__in=[])
    for kind, levels in (
        (Level.ORGANISATION, organisations(user)),
        (Level.BUSINESS_UNIT, business_units(user)),
        (Level.PROJECT, projects(user)),
    ):
        scopes = levels.annotate(
            audit_scope=Concat(Value(f"{kind}:"), Cast("pk", CharField()), output_field=CharField())
        ).values("audit_scope")
        visible |= Q(scope__in=scopes)
    return visible


@dataclass(frozen=True)
class LevelPage:
    """Everything a level's page shows: the level, what the user may do there, its visible parents
    (breadcrumbs), its visible children and its members.
    """

    obj: LevelObject
    perms: frozenset[Perm]
    parents: list[LevelObject]
    children: QuerySet[Any] | None
    members: QuerySet[Membership]

    @property
    def can_manage_members(self) -> bool:
        return Perm.MANAGE_MEMBERS in self.perms

    @property
    def can_administer(self) -> bool:
        return Perm.ADMINISTER in self.perms

    @property
    def audit_type(self) -> str:
        """The `object_type` of the level's audit records (`organisation.project`)."""
        return self.obj._meta.label_lower


def level_page(user: User, kind: Level, level_id: int) -> LevelPage:
    """The page of a level the user may see, else `NotFound` (404)."""
    obj = level(user, kind, level_id)
    parents: list[LevelObject] = []
    children: QuerySet[Any] | None = None
    if isinstance(obj, Organisation):
        children = business_units(user, organisation_id=obj.pk)
    elif isinstance(obj, BusinessUnit):
        parents = list(organisations(user).filter(pk=obj.organisation_id))
        children = projects(user, business_unit_id=obj.pk)
    else:
        unit = business_units(user).filter(pk=obj.business_unit_id).select_related("organisation").first()
        if unit is not None:
            organisation = organisations(user).filter(pk=unit.organisation_id).first()
            parents = [found for found in (organisation, unit) if found is not None]
    return LevelPage(obj, permissions(user, obj), parents, children, memberships(user, obj))


def administers(user: User) -> bool:
    """Whether the user holds the administrator role anywhere (an organisation, business unit or project)."""
    return Membership.objects.filter(user_id=user.pk, role=Role.ADMINISTRATOR).exists()
