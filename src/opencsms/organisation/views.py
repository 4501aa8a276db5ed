"""Pages of the organisation app: parse, one selector or service call, render.

Services and selectors raise `NotFound` (the 404 page: out of scope objects are not revealed) and
`PermissionDenied` (the 403 page); `core.middleware.DomainErrorMiddleware` maps them for every view.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from opencsms.core.access import lists, needs
from opencsms.core.http import actor, expected_version
from opencsms.organisation import selectors, services
from opencsms.organisation.access import Perm
from opencsms.organisation.forms import LevelForm, MemberAddForm, MemberRoleForm
from opencsms.organisation.models import Level, LevelObject, Role

PAGES = {
    Level.ORGANISATION: "organisation:organisation",
    Level.BUSINESS_UNIT: "organisation:business_unit",
    Level.PROJECT: "organisation:project",
}


def _create_business_unit(*, parent_id: int, **fields: Any) -> LevelObject:
    return services.create_business_unit(organisation_id=parent_id, **fields)


def _create_project(*, parent_id: int, **fields: Any) -> LevelObject:
    return services.create_project(business_unit_id=parent_id, **fields)


CHILDREN: dict[Level, tuple[Callable[..., LevelObject], Level]] = {
    Level.ORGANISATION: (_create_business_unit, Level.BUSINESS_UNIT),
    Level.BUSINESS_UNIT: (_create_project, Level.PROJECT),
}


@lists(Perm.VIEW, on="organisation")
def organisation_list(request: HttpRequest) -> HttpResponse:
    organisations = selectors.organisations(actor(request))
    return render(request, "organisation/organisation_list.html", {"organisations": organisations})


@needs(Perm.VIEW, on="level")
def level_detail(request: HttpRequest, kind: Level, level_id: int) -> HttpResponse:
    """The page of an organisation, business unit or project (`organisation/<kind>_detail.html`)."""
    page = selectors.level_page(actor(request), kind, level_id)
    context = {
        "page": page,
        "level": page.obj,
        "add_form": MemberAddForm(),
        "level_form": LevelForm(),
        "roles": Role.choices,
    }
    return render(request, f"organisation/{kind}_detail.html", context)


@require_POST
@needs(Perm.MANAGE_MEMBERS, on="level")
def member_add(request: HttpRequest, kind: Level, level_id: int) -> HttpResponse:
    form = MemberAddForm(request.POST)
    if form.is_valid():
        user, role = form.cleaned_data["user"], Role(form.cleaned_data["role"])
        services.add_member(actor=actor(request), level=kind, level_id=level_id, user_id=user.pk, role=role)
        messages.success(request, f"{user} is now {role.label.lower()}.")
    else:
        messages.error(request, "Choose a user and a role.")
    return redirect(PAGES[kind], level_id)


@require_POST
@needs(Perm.MANAGE_MEMBERS, on="level")
def member_role(request: HttpRequest, kind: Level, level_id: int, user_id: int) -> HttpResponse:
    form = MemberRoleForm(request.POST)
    if form.is_valid():
        role = Role(form.cleaned_data["role"])
        services.change_role(
            actor=actor(request), level=kind, level_id=level_id, user_id=user_id, role=role,
            expected=expected_version(request),
        )  # fmt: skip
        messages.success(request, f"Role changed to {role.label.lower()}.")
    else:
        messages.error(request, "Choose a role.")
    return redirect(PAGES[kind], level_id)


@require_POST
@needs(Perm.MANAGE_MEMBERS, on="level")
def member_remove(request: HttpRequest, kind: Level, level_id: int, user_id: int) -> HttpResponse:
    services.remove_member(actor=actor(request), level=kind, level_id=level_id, user_id=user_id)
    messages.success(request, "Member removed.")
    return redirect(PAGES[kind], level_id)


@require_POST
@needs(Perm.ADMINISTER, on="level")
def child_create(request: HttpRequest, kind: Level, level_id: int) -> HttpResponse:
    """A new business unit of an organisation, or project of a business unit (`kind` is the parent's)."""
    form = LevelForm(request.POST)
    if not form.is_valid():
        messages.error(request, "A name is required (and a valid slug, if given).")
        return redirect(PAGES[kind], level_id)
    create, child_kind = CHILDREN[kind]
    child = create(actor=actor(request), parent_id=level_id, **form.cleaned_data)
    messages.success(request, f"{child_kind.label} {child} created.")
    return redirect(PAGES[child_kind], child.pk)
