"""Helpers for entry points (API endpoints, views): the typed acting user, the address of a request, the
template a page view renders (the page, or its partial for htmx), and a download."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

from opencsms.core.models import User


def actor(request: HttpRequest) -> User:
    """The authenticated user of the request: the API token's user, else the session's user."""
    user = getattr(request, "auth", None)
    if not isinstance(user, User):
        user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_active:
        raise PermissionDenied("authentication required")
    return user


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: the connection's, or behind a trusted proxy (`OPENCSMS_BEHIND_TLS_PROXY`) the
    last address of `X-Forwarded-For`, the one the proxy added (earlier ones are the client's own claims).
    """
    address = request.META.get("REMOTE_ADDR", "")
    if settings.BEHIND_TLS_PROXY:
        forwarded = request.headers.get("X-Forwarded-For", "")
        address = forwarded.rsplit(",", 1)[-1].strip() or address
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def wants_partial(request: HttpRequest) -> bool:
    """Whether the request is htmx's (not boosted): it swaps a part of the page, not the whole page."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx and not htmx.boosted)


def page_or_partial(request: HttpRequest, page: str, partial: str, context: dict[str, Any]) -> HttpResponse:
    """The `partial` for an htmx request (not boosted), else the full `page`, with the same context."""
    return render(request, partial if wants_partial(request) else page, context)


def download(*media_types: str) -> dict[str, Any]:
    """The `openapi_extra` of an API operation that answers a file (an `attachment`): its 200 answer is
    documented with these media types instead of JSON."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    content = {media_type.split(";")[0]: binary for media_type in media_types}
    return {"responses": {200: {"description": "The file, as an attachment", "content": content}}}


def attachment(content: str | bytes, filename: str, content_type: str) -> HttpResponse:
    """A download named `filename` (quoted by Django, so no name can break the header)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename) or ""
    return response
