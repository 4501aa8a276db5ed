"""API schemas of the organisation app: separate In and Out shapes."""

from __future__ import annotations

from enum import StrEnum

from ninja import Field, Schema

from opencsms.core.schemas import Id
from opencsms.organisation.models import Level, Role


class LevelPath(StrEnum):
    """The path segment naming a kind of level in `/{kind}/{id}/members`."""

    ORGANISATIONS = "organisations"
    BUSINESS_UNITS = "business-units"
    PROJECTS = "projects"

    @property
    def level(self) -> Level:
        return {
            LevelPath.ORGANISATIONS: Level.ORGANISATION,
            LevelPath.BUSINESS_UNITS: Level.BUSINESS_UNIT,
            LevelPath.PROJECTS: Level.PROJECT,
        }[self]


class OrganisationIn(Schema):
    name: str = Field(max_length=200)
    slug: str = Field("", max_length=100)
    administrator_id: Id | None = None


class OrganisationOut(Schema):
    id: int
    name: str
    slug: str


class BusinessUnitIn(Schema):
    organisation_id: Id
    name: str = Field(max_length=200)
    slug: str = Field("", max_length=100)


class BusinessUnitOut(Schema):
    id: int
    organisation_id: int
    name: str
    slug: str


class ProjectIn(Schema):
    business_unit_id: Id
    name: str = Field(max_length=200)
    slug: str = Field("", max_length=100)


class ProjectOut(Schema):
    id: int
    business_unit_id: int
    name: str
    slug: str


class MemberIn(Schema):
    user_id: Id
    role: Role


class RoleIn(Schema):
    role: Role
    etag: str | None = Field(None, description="The version changed (else If-Match); a stale one: 409")


class MemberOut(Schema):
    id: int
    user_id: int
    username: str
    role: Role
    scope: str
    etag: str = Field(description="The membership's version (also the ETag header): send it as If-Match")

    @staticmethod
    def resolve_username(obj: object) -> str:
        return str(getattr(obj, "user"))  # noqa: B009 - the membership's prefetched user
