"""The organisation API: organisations, business units, projects and the members of each level."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Status

from opencsms.core.http import actor
from opencsms.products import selectors, services
from opencsms.products.models import BusinessUnit, Membership, Organisation, Project
from opencsms.products.schemas import (
    BusinessUnitIn,
    BusinessUnitOut,
    LevelPath,
    MemberIn,
    MemberOut,
    OrganisationIn,
    OrganisationOut,
    ProjectIn,
    ProjectOut,
    RoleIn,
)

router = Router(tags=["organisation"])


@router.get("/organisations", response=list[OrganisationOut])
def list_organisations(request: HttpRequest) -> QuerySet[Organisation]:
    return selectors.organisations(actor(request))


@router.post("/organisations", response={201: OrganisationOut})
def create_organisation(request: HttpRequest, payload: OrganisationIn) -> Status[Organisation]:
    return Status(201, services.create_organisation(actor=actor(request), **payload.dict()))


@router.get("/business-units", response=list[BusinessUnitOut])
def list_business_units(request: HttpRequest, organisation: int | None = None) -> QuerySet[BusinessUnit]:
    return selectors.business_units(actor(request), organisation_id=organisation)


@router.post("/business-units", response={201: BusinessUnitOut})
def create_business_unit(request: HttpRequest, payload: BusinessUnitIn) -> Status[BusinessUnit]:
    return Status(201, services.create_business_unit(actor=actor(request), **payload.dict()))


@router.get("/projects", response=list[ProjectOut])
def list_projects(request: HttpRequest, business_unit: int | None = None) -> QuerySet[Project]:
    return selectors.projects(actor(request), business_unit_id=business_unit)


@router.post("/projects", response={201: ProjectOut})
def create_project(request: HttpRequest, payload: ProjectIn) -> Status[Project]:
    return Status(201, services.create_project(actor=actor(request), **payload.dict()))


@router.get("/{kind}/{level_id}/members", response=list[MemberOut])
def list_members(request: HttpRequest, kind: LevelPath, level_id: int) -> QuerySet[Membership]:
    user = actor(request)
    return selectors.memberships(user, selectors.level(user, kind.level, level_id))


@router.post("/{kind}/{level_id}/members", response={201: MemberOut})
def add_member(request: HttpRequest, kind: LevelPath, level_id: int, payload: MemberIn) -> Status[Membership]:
    member = services.add_member(actor=actor(request), level=kind.level, level_id=level_id, **payload.dict())
    return Status(201, member)


@router.patch("/{kind}/{level_id}/members/{user_id}", response=MemberOut)
def change_role(
    request: HttpRequest, kind: LevelPath, level_id: int, user_id: int, payload: RoleIn
) -> Membership:
    return services.change_role(
        actor=actor(request), level=kind.level, level_id=level_id, user_id=user_id, role=payload.role
    )


@router.delete("/{kind}/{level_id}/members/{user_id}", response={204: None})
def remove_member(request: HttpRequest, kind: LevelPath, level_id: int, user_id: int) -> Status[None]:
    services.remove_member(actor=actor(request), level=kind.level, level_id=level_id, user_id=user_id)
    return Status(204, None)
