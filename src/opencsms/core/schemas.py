"""API schemas of the core app: separate In and Out shapes."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema


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
