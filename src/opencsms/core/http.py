"""Helpers for entry points (API endpoints, views): the typed acting user, the address of a request, the
template a page view renders (the page, or its partial for htmx), where to go after a post, and a download."""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import render
from django.utils.html import escape
from django.utils.http import content_disposition_header
from django_htmx.http import HttpResponseClientRedirect

from opencsms.core import versions
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


def streamed_attachment(lines: Iterator[str], filename: str, content_type: str) -> StreamingHttpResponse:
    """A download sent as it is made (a long CSV), named like `attachment`'s."""
    response = StreamingHttpResponse(lines, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename) or ""
    return response


def go(request: HttpRequest, url: str) -> HttpResponse:
    """After a successful post, to `url`: a redirect, or for an htmx form (it stays on its page, with the
    input kept, until the post succeeds) the instruction to load `url` as a whole page."""
    if wants_partial(request):
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url)


STRUCTURED = frozenset({"application/json", "application/yaml"})  # media types of parsed documents


def download(*media_types: str) -> dict[str, Any]:
    """The `openapi_extra` of an API operation that answers a file (an `attachment`): its 200 answer is
    documented with these media types instead of JSON. A JSON or YAML file is documented as the object it
    parses to (a client validating the answer parses it first); any other file as bytes."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    document = {"schema": {"type": "object"}}
    content = {
        name: document if name in STRUCTURED else binary
        for name in (media_type.split(";")[0] for media_type in media_types)
    }
    return {"responses": {200: {"description": "The file, as an attachment", "content": content}}}


def attachment(content: str | bytes, filename: str, content_type: str) -> HttpResponse:
    """A download named `filename` (quoted by Django, so no name can break the header)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename) or ""
    return response


def expected_version(request: HttpRequest, given: str | None = None) -> str | None:
    """The version a write was made from: `given` (an API payload's `etag`), else the form field `etag`
    (pages), else the `If-Match` header (API); None when the caller named none."""
    found = given or request.POST.get(versions.FIELD) or request.headers.get("If-Match")
    return versions.unquoted(found)


def base_version(request: HttpRequest) -> str | None:
    """The version the user's form was first made from, when they apply it again from the conflict page
    (its field `base`); None otherwise."""
    return versions.unquoted(request.POST.get(versions.BASE))


def with_etag(response: HttpResponse, version: str | int) -> None:
    """Send the object's version as the `ETag` header of `response`."""
    response["ETag"] = versions.quoted(version)


def bare_error(
    request: HttpRequest, *, status: int, code: str, title: str, detail: str, link: str
) -> HttpResponse:
    """An error answer made without templates or the database (they may be what failed): JSON
    `{code, detail}` for the API, else a minimal page with `title`, `detail` and a `link` back (`title` and
    `link` are the caller's own HTML; `detail` is escaped)."""
    if request.path.startswith(settings.API_PREFIX):
        body = json.dumps({"code": code, "detail": detail})
        return HttpResponse(body, status=status, content_type="application/json")
    page = (
        f"<!doctype html><html lang=en><meta charset=utf-8><title>{title}</title>"
        f"<h1>{title}</h1><p>{escape(detail[0].upper() + detail[1:])}.</p>"
        f"<p><a href=''>{link}</a></p></html>"
    )
    return HttpResponse(page, status=status, content_type="text/html; charset=utf-8")
