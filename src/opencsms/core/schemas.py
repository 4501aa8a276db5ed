"""API schemas of the core app: separate In and Out shapes; and the bounded types every app's API takes its
input in (`Id`, `Pages`), so that no number in a path, query or body reaches the database beyond 64 bits."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

from opencsms.core.models import MAX_ID

MAX_PAGE = 1000
Id = Annotated[int, Field(ge=-MAX_ID - 1, le=MAX_ID, description="an object's id (a 64-bit integer)")]


class Pages(LimitOffsetPagination):
    """Ninja's limit/offset pages with both bounded: at most `MAX_PAGE` items, an offset within 64 bits."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=MAX_PAGE, description=f"items per page (at most {MAX_PAGE})")
        offset: int = Field(0, ge=0, le=MAX_ID - MAX_PAGE, description="items skipped")

    def __init__(self, **kwargs: object) -> None:
        super().__init__(max_limit=MAX_PAGE, **kwargs)


class ErrorOut(Schema):
    """Every refusal of the API: a code for programs, the words for a person, the field problems (422)."""

    code: str = Field(description="e.g. not_found, permission_denied, conflict, invalid, unauthenticated")
    detail: str
    errors: list[dict[str, Any]] | None = Field(None, description="422: each problem with its location")


class MeOut(Schema):
    username: str
    email: str
    is_superuser: bool


class UserIn(Schema):
    username: str = Field(max_length=150)
    email: str = Field("", max_length=254)
    is_staff: bool = False
    is_superuser: bool = False


class UserOut(Schema):
    id: int
    username: str
    email: str
    is_staff: bool
    is_superuser: bool


class TokenIn(Schema):
    name: str = Field(max_length=100)


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


class StaleOut(ErrorOut):
    """409 for a write made from an older version (core.versions): nothing was saved; an `ErrorOut` with
    the stored version and the fields that differ."""

    current_etag: str
    differences: list[DifferenceOut]


class StaleItemOut(Schema):
    id: str
    what: str = Field(description="How a person names it")
    current_etag: str = Field(description="Its stored version")
    saved_by: str | None = Field(description="Who made its last recorded change and when, when known")


class StaleManyOut(ErrorOut):
    """409 for a change of many objects made from older versions of some (a bulk triage): nothing was
    saved; an `ErrorOut` naming each object changed since (the first 20 of `stale_count`)."""

    stale: list[StaleItemOut]
    stale_count: int


# A versioned write's 409: a stale version (StaleOut), or a state that forbids the change (a plain ErrorOut,
# e.g. an organisation's last administrator); one operation can answer either.
ConflictOut = StaleOut | ErrorOut
# A change of many versioned objects' 409 (a bulk triage): some were stale (StaleManyOut), or a plain
# conflict.
BulkConflictOut = StaleManyOut | ErrorOut


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
