"""The organisation API: organisations, business units, projects and the members of each level."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from opencsms.core.access import lists, needs, superuser_only
from opencsms.core.http import actor, expected_version, with_etag
from opencsms.core.schemas import IF_MATCH, ConflictOut, Id
from opencsms.organisation import selectors, services
from opencsms.organisation.access import Perm
from opencsms.organisation.models import BusinessUnit, Membership, Organisation, Project
from opencsms.organisation.schemas import (
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

# The v1 contract published these operations' ids when the app was called `products`: clients generated from
# it keep working (the other apps' ids are Ninja's default, `opencsms_<app>_api_<function>`).
V1_IDS = "opencsms_products_api_"


@router.get("/organisations", response=list[OrganisationOut], operation_id=V1_IDS + "list_organisations")
@lists(Perm.VIEW, on="organisation")
def list_organisations(request: HttpRequest) -> QuerySet[Organisation]:
    return selectors.organisations(actor(request))


@router.post("/organisations", response={201: OrganisationOut}, operation_id=V1_IDS + "create_organisation")
@superuser_only
def create_organisation(request: HttpRequest, payload: OrganisationIn) -> Status[Organisation]:
    return Status(201, services.create_organisation(actor=actor(request), **payload.dict()))


@router.get("/business-units", response=list[BusinessUnitOut], operation_id=V1_IDS + "list_business_units")
@lists(Perm.VIEW, on="business_unit")
def list_business_units(request: HttpRequest, organisation: Id | None = None) -> QuerySet[BusinessUnit]:
    return selectors.business_units(actor(request), organisation_id=organisation)


@router.post("/business-units", response={201: BusinessUnitOut}, operation_id=V1_IDS + "create_business_unit")
@needs(Perm.ADMINISTER, on="organisation")
def create_business_unit(request: HttpRequest, payload: BusinessUnitIn) -> Status[BusinessUnit]:
    return Status(201, services.create_business_unit(actor=actor(request), **payload.dict()))


@router.get("/projects", response=list[ProjectOut], operation_id=V1_IDS + "list_projects")
@lists(Perm.VIEW, on="project")
def list_projects(request: HttpRequest, business_unit: Id | None = None) -> QuerySet[Project]:
    return selectors.projects(actor(request), business_unit_id=business_unit)


@router.post("/projects", response={201: ProjectOut}, operation_id=V1_IDS + "create_project")
@needs(Perm.ADMINISTER, on="business_unit")
def create_project(request: HttpRequest, payload: ProjectIn) -> Status[Project]:
    return Status(201, services.create_project(actor=actor(request), **payload.dict()))


@router.get("/{kind}/{level_id}/members", response=list[MemberOut], operation_id=V1_IDS + "list_members")
@needs(Perm.VIEW, on="level")
def list_members(request: HttpRequest, kind: LevelPath, level_id: Id) -> QuerySet[Membership]:
    user = actor(request)
    return selectors.memberships(user, selectors.level(user, kind.level, level_id))


@router.post("/{kind}/{level_id}/members", response={201: MemberOut}, operation_id=V1_IDS + "add_member")
@needs(Perm.MANAGE_MEMBERS, on="level")
def add_member(request: HttpRequest, kind: LevelPath, level_id: Id, payload: MemberIn) -> Status[Membership]:
    member = services.add_member(actor=actor(request), level=kind.level, level_id=level_id, **payload.dict())
    return Status(201, member)


@router.patch(
    "/{kind}/{level_id}/members/{user_id}",
    response={200: MemberOut, 409: ConflictOut},
    operation_id=V1_IDS + "change_role",
    openapi_extra=IF_MATCH,
)
@needs(Perm.MANAGE_MEMBERS, on="level")
def change_role(
    request: HttpRequest,
    kind: LevelPath,
    level_id: Id,
    user_id: Id,
    *,
    payload: RoleIn,
    response: HttpResponse,
) -> Membership:
    member = services.change_role(
        actor=actor(request), level=kind.level, level_id=level_id, user_id=user_id, role=payload.role,
        expected=expected_version(request, payload.etag),
    )  # fmt: skip
    with_etag(response, member.etag)
    return member


@router.delete(
    "/{kind}/{level_id}/members/{user_id}", response={204: None}, operation_id=V1_IDS + "remove_member"
)
@needs(Perm.MANAGE_MEMBERS, on="level")
def remove_member(request: HttpRequest, kind: LevelPath, level_id: Id, user_id: Id) -> Status[None]:
    services.remove_member(actor=actor(request), level=kind.level, level_id=level_id, user_id=user_id)
    return Status(204, None)
