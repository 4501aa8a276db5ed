"""API schemas of the core app: separate In and Out shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Schema


class MeOut(Schema):
    username: str
    email: str
    is_superuser: bool


class UserIn(Schema):
    username: str
    email: str = ""
    is_staff: bool = False
    is_superuser: bool = False


class UserOut(Schema):
    id: int
    username: str
    email: str
    is_staff: bool
    is_superuser: bool


class TokenIn(Schema):
    name: str


class TokenOut(Schema):
    id: int
    name: str
    created: datetime
    last_used: datetime | None = None


class TokenCreatedOut(TokenOut):
    token: str


class DifferenceOut(Schema):
    field: str
    current: str
    yours: str
    changed_by: Literal["them", "you", "both"] | None = Field(
        None, description="Who changed the field since your version, where that version is known"
    )


class StaleOut(Schema):
    """409 for a write made from an older version (core.versions): nothing was saved."""

    code: str
    detail: str
    current_etag: str
    differences: list[DifferenceOut]


IF_MATCH: dict[str, Any] = {
    "parameters": [
        {
            "in": "header",
            "name": "If-Match",
            "required": False,
            "schema": {"type": "string"},
            "description": "The version (ETag) the change is made from; a stale one answers 409 "
            "with the current version. Without it (and without `etag` in the body) nothing is checked.",
        }
    ]
}
