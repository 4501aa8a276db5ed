"""The database out of reach (restarted, connections cut, refusing new ones): 503 with `Retry-After`, not 500.

A request that meets `django.db.OperationalError` or `InterfaceError` (a connection that cannot be opened or
was closed under it) gets 503 "the database is unavailable; retry in a few seconds", JSON `{code, detail}`
under the API, a small page elsewhere, both naming the request id; the error is logged on
`opencsms.database` with that id (Django's request logger notes the 503 too, as every 5xx). Nothing is
written: the request's transaction, if any, was rolled back with its connection. Django drops a broken
connection when the request ends (`CONN_HEALTH_CHECKS` checks a kept one before the next request), so the
application recovers by itself once the database answers again.

Three places map it, because Django reaches them at different points: `DatabaseUnavailableMiddleware` for
errors raised in a page's view, the API's exception handler (config/api.py) for the API's, and
`server_error` (the `handler500`) for errors raised before the view, e.g. while the session or the user is
loaded.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.views import defaults

from opencsms.core import audit
from opencsms.core.disk_full import disk_full, is_disk_full
from opencsms.core.http import bare_error

logger = logging.getLogger("opencsms.database")
RETRY_AFTER_SECONDS = 5
OUTAGES = (OperationalError, InterfaceError)


def is_outage(exception: BaseException | None) -> bool:
    """Whether `exception` says the database cannot be reached (not a refused value or a broken query)."""
    return isinstance(exception, OUTAGES)


def unavailable(request: HttpRequest, exception: BaseException) -> HttpResponse:
    """The 503 answer to `request` that met `exception`, logged with the request id; no database access."""
    request_id = audit.current_correlation_id()
    logger.warning(
        "database unavailable: %s %s answered 503 (request id %s): %s",
        request.method, request.path, request_id, str(exception).strip() or type(exception).__name__,
    )  # fmt: skip
    detail = f"the database is unavailable; retry in a few seconds (request id {request_id})"
    response = (
        bare_error(  # no template: its context processors would read the session and user from the database
            request,
            status=503,
            code="database_unavailable",
            title="Service unavailable",
            detail=detail,
            link="Try again",
        )
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseUnavailableMiddleware:
    """A page's view that met a database outage answers 503 (the API maps its own, see config/api.py)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return unavailable(request, exception) if is_outage(exception) else None


def server_error(request: HttpRequest) -> HttpResponse:
    """`handler500`: a database outage met before the view (sessions, the user) is 503, a full disk met
    while the form is read (core.disk_full) 507; anything else is Django's 500 page."""
    exception = sys.exc_info()[1]
    if exception is not None and is_disk_full(exception):
        return disk_full(request, exception)
    if is_outage(exception):
        assert exception is not None
        return unavailable(request, exception)
    return defaults.server_error(request)
