"""Request middleware: every request gets a correlation id, used by the audit records it writes."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from opencsms.core import audit

HEADER = "X-Request-ID"


class CorrelationIdMiddleware:
    """Take a safe `X-Request-ID` from the client (or make one), bind it for the request, echo it back."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with audit.correlation(request.headers.get(HEADER)) as correlation_id:
            response = self.get_response(request)
        response[HEADER] = correlation_id
        return response
