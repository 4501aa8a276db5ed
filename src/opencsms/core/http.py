"""Helpers for entry points (API endpoints, views): the typed acting user of a request."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from opencsms.core.models import User


def actor(request: HttpRequest) -> User:
    """The authenticated user of the request: the API token's user, else the session's user."""
    user = getattr(request, "auth", None)
    if not isinstance(user, User):
        user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_active:
        raise PermissionDenied("authentication required")
    return user
