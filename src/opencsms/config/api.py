"""The one API, at /api/v1/: a router per app, authentication required, errors mapped once to JSON.

Every error answers `{"code": ..., "detail": ...}` (validation errors add `errors`, the field problems).
Authentication: a hashed API token (`Authorization: Bearer ...`) or the session (CSRF enforced).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import DataError, InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import Swagger
from ninja.openapi.schema import OpenAPISchema
from ninja.security import django_auth

from opencsms.config.openapi import with_error_answers
from opencsms.core import api as core_api
from opencsms.core import versions
from opencsms.core.disk_full import disk_full, is_disk_full
from opencsms.core.errors import DomainError, Stale, StaleMany, from_database
from opencsms.core.unavailable import unavailable
from opencsms.incidents import api as incidents_api
from opencsms.organisation import api as organisation_api
from opencsms.tara import api as tara_api
from opencsms.vulns import api as vulns_api
from opencsms.vulns import vulnerability_api


class LocalSwagger(Swagger):
    """The documentation page (/api/v1/docs) with Swagger UI from npm (swagger-ui-dist, collected as
    static files) and no inline script, so the strict Content-Security-Policy lets it run. Ninja's own
    page loads Swagger UI from a CDN, which that policy blocks.
    """

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        context = {"swagger_settings": settings, "api": api, "add_csrf": True}
        return render(request, "core/api_docs.html", context)


class Api(NinjaAPI):
    """Ninja's API, whose description also declares every operation's error answers (config/openapi.py)."""

    def get_openapi_schema(self, **kwargs: Any) -> OpenAPISchema:
        schema = super().get_openapi_schema(**kwargs)
        with_error_answers(self, schema)  # in place: the schema is Ninja's dict subclass
        return schema


api = Api(
    title="OpenCSMS API",
    version="1",
    urls_namespace="api",
    auth=[core_api.ApiTokenAuth(), django_auth],
    docs=LocalSwagger(),
)
api.add_router("/", core_api.router)
api.add_router("/", organisation_api.router)
api.add_router("/", tara_api.router)
api.add_router("/", vulns_api.router)
api.add_router("/", vulnerability_api.router)
api.add_router("/", incidents_api.router)


def _error(request: HttpRequest, status: int, code: str, detail: str, **extra: object) -> HttpResponse:
    return api.create_response(request, {"code": code, "detail": detail, **extra}, status=status)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return _error(request, exc.status, exc.code, exc.detail)


@api.exception_handler(Stale)
def _stale(request: HttpRequest, exc: Stale) -> HttpResponse:
    """409 naming the stored version (`current_etag`, also the `ETag` header) and the differing fields."""
    fields = [
        {"field": name, "current": theirs, "yours": yours, "changed_by": who or None}
        for name, theirs, yours, who in exc.rows
    ]
    response = _error(request, 409, exc.code, exc.detail, current_etag=exc.current, differences=fields)
    response["ETag"] = versions.quoted(exc.current)
    return response


@api.exception_handler(StaleMany)
def _stale_many(request: HttpRequest, exc: StaleMany) -> HttpResponse:
    """409 naming each object changed since the caller saw it: its id, stored version and who saved it."""
    stale = [
        {"id": item.id, "what": item.what, "current_etag": item.current, "saved_by": item.saved_by or None}
        for item in exc.stale
    ]
    return _error(request, 409, exc.code, exc.detail, stale=stale, stale_count=exc.count)


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def _database_unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
    """The database out of reach: 503 with Retry-After (core/unavailable.py)."""
    return unavailable(request, exc)


@api.exception_handler(OSError)
def _disk_full(request: HttpRequest, exc: OSError) -> HttpResponse:
    """An upload met a full disk: 507 naming it (core/disk_full.py); any other OSError stays a 500."""
    if not is_disk_full(exc):
        raise exc
    return disk_full(request, exc)


@api.exception_handler(DataError)
def _data_error(request: HttpRequest, exc: DataError) -> HttpResponse:
    invalid = from_database(exc)
    return _error(request, invalid.status, invalid.code, invalid.detail)


@api.exception_handler(PermissionDenied)
def _permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, "permission_denied", str(exc) or "permission denied")


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", "not found")


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthenticated", "authentication required")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = "csrf_failed" if "CSRF" in exc.message else "http_error"
    return _error(request, exc.status_code, code, exc.message)


@api.exception_handler(ValidationError)
def _invalid_request(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return _error(request, 422, "invalid", "the request is not valid", errors=exc.errors)
