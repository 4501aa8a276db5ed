"""Reads of the organisation app: querysets already scoped to what the user may see, and prefetched."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from opencsms.core.errors import NotFound
from opencsms.core.models import User
from opencsms.products.access import Perm, scope
from opencsms.products.models import BusinessUnit, Level, LevelObject, Membership, Organisation, Project


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
