"""Request middleware: correlation ids, the Content-Security-Policy, the login requirement and the mapping of
domain errors raised in views to the answers a browser understands.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequiredMiddleware
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from opencsms.core import audit, versions
from opencsms.core.errors import DomainError, NotFound, Stale, from_database
from opencsms.core.http import client_ip
from opencsms.core.logs import security_event
from opencsms.engine.safeinput import lone_surrogate

HEADER = "X-Request-ID"
GetResponse = Callable[[HttpRequest], HttpResponse]


class CorrelationIdMiddleware:
    """Take a safe `X-Request-ID` from the client (or make one), bind it for the request, echo it back."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with audit.correlation(request.headers.get(HEADER)) as correlation_id:
            response = self.get_response(request)
        response[HEADER] = correlation_id
        return response


class ApiErrorsAsJsonMiddleware:
    """Under `settings.API_PREFIX` every error answer is the API's JSON `{code, detail}`, also those no API
    handler made: a method the route does not take (405, `Allow` kept), a body too large, a server error
    (500, with the request id to quote)."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.prefix: str = settings.API_PREFIX

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        status = response.status_code
        if status < 400 or response.streaming or not request.path.startswith(self.prefix):
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
        detail = phrase.lower()
        if status >= 500:
            detail += f": the error is logged; quote request id {audit.current_correlation_id()}"
        # the same response rewritten (its headers, e.g. Allow, kept; Django logs it once, as it was)
        response.content = json.dumps({"code": phrase.lower().replace(" ", "_"), "detail": detail})
        response["Content-Type"] = "application/json"
        return response


class ContentSecurityPolicyMiddleware:
    """Send `settings.CONTENT_SECURITY_POLICY` on every response that does not set its own."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.policy: str = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        return response


class JsonTextMiddleware:
    """Refuse a JSON body whose strings are not Unicode text (a lone surrogate such as \\ud800 parses, then
    fails in the database), and an API write whose JSON body is not an object (every operation takes an
    object; Ninja would read a list or a bare value as `{}`, so `[1]` marked every notification read):
    400 with the API's `{code, detail}`, before any view sees it."""

    WRITES = frozenset({"POST", "PUT", "PATCH"})

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.prefix: str = settings.API_PREFIX

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.content_type != "application/json":
            return self.get_response(request)
        if _lone_surrogate(request.body):
            detail = "the JSON body has a lone surrogate escape (e.g. \\ud800): strings must be Unicode text"
            return JsonResponse({"code": "invalid_text", "detail": detail}, status=400)
        if request.method in self.WRITES and request.path.startswith(self.prefix):
            found = _not_an_object(request.body)
            if found:
                detail = f"the JSON body must be an object of the operation's fields, not {found}"
                return JsonResponse({"code": "invalid_body", "detail": detail}, status=400)
        return self.get_response(request)


_JSON_KINDS = {list: "a list", str: "a string", bool: "a boolean", int: "a number", float: "a number"}


def _not_an_object(body: bytes) -> str | None:
    """What a JSON body is when it is valid JSON but not an object ("a list", "null"...); None otherwise
    (an object, an empty body, or not JSON at all: the view names the syntax error)."""
    text = body.lstrip(b" \t\r\n")
    if not text or text.startswith(b"{"):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return "null" if value is None else _JSON_KINDS.get(type(value), "a JSON value")


def _lone_surrogate(body: bytes) -> bool:
    if b"\\u" not in body:
        return False
    try:
        return lone_surrogate(body, json.loads(body))
    except ValueError:  # not JSON: the view names the syntax error
        return False


class SecurityLogMiddleware:
    """Log on `opencsms.security` every refusal (401, 403, and 404: missing or out of the caller's scope, the
    two are not told apart) and every download (an attachment: exports, reports, VEX), with who and from
    where; the request id ties the line to the rest of the request's log and to the audit trail."""

    REFUSALS = (401, 403, 404)

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        status = response.status_code
        if status in self.REFUSALS:
            security_event("refused", f"{status} {request.method} {request.path}", **_who(request, status))
        elif 200 <= status < 300 and response.get("Content-Disposition", "").startswith("attachment"):
            filename = response["Content-Disposition"].partition("filename")[2].lstrip("*=\"'").rstrip('"')
            fields = {**_who(request, status), "file": filename}
            security_event("export", f"download {request.path}", level=logging.INFO, **fields)
        return response


def _who(request: HttpRequest, status: int) -> dict[str, Any]:
    user = getattr(request, "auth", None) or getattr(request, "user", None)
    name = getattr(user, "username", "") or "anonymous"
    return {"user": name, "ip": client_ip(request), "method": request.method, "path": request.path,
            "status": status}  # fmt: skip


class SessionIdleMiddleware:
    """Keep a signed-in session alive while it is used: its expiry (`SESSION_COOKIE_AGE`, the idle timeout,
    `OPENCSMS_SESSION_IDLE_MINUTES`) is renewed by a request at most once every `SESSION_RENEW_SECONDS`, so
    an active session lasts and an idle one ends, without a session write on every request. The time of the
    last renewal is kept in the session from the sign-in on (written with it, at no extra cost); a session
    without it (made before this existed) simply keeps the expiry it has."""

    KEY = "_opencsms_renewed"

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.every: int = settings.SESSION_RENEW_SECONDS

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or not (session.session_key or session.modified) or session.is_empty():
            return response
        now, last = int(time.time()), session.get(self.KEY)
        if (last is None and session.modified) or (last is not None and now - int(last) >= self.every):
            session[self.KEY] = now  # modified: Django saves it, with a new expiry and cookie
        return response


class LoginRequiredMiddleware(DjangoLoginRequiredMiddleware):
    """Django's: every view needs a signed-in user unless marked `login_not_required`, except the paths in
    `LOGIN_NOT_REQUIRED_PREFIXES` (the API authenticates each request itself and answers 401 in JSON).
    """

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponseBase | None:
        if request.path_info.startswith(settings.LOGIN_NOT_REQUIRED_PREFIXES):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class DomainErrorMiddleware:
    """Map the services' errors raised in views, once for every page (the API maps them to JSON itself).

    `NotFound` becomes the 404 page (out of scope objects are not revealed); Django's `PermissionDenied` is
    already the 403 page. Another `DomainError` (conflict, invalid input, throttled) after a form post becomes
    an error message and a redirect back to the page the form was on; on a GET it is an error page. In an
    htmx request (not boosted) it is the message itself, HTTP 200 so that htmx swaps it: at the top of the
    element the request targeted (shown inline, where the user acted), or as an error toast when the
    target has no id.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DataError):  # a value the database refused: the user's input, not a fault
            exception = from_database(exception)
        if isinstance(exception, NotFound):
            raise Http404(exception.detail) from exception
        if not isinstance(exception, DomainError):
            return None
        if isinstance(exception, Stale) and request.method == "POST":
            return _conflict(request, exception)
        htmx = getattr(request, "htmx", None)
        if htmx and not htmx.boosted:
            return _inline_error(request, exception)
        if request.method == "POST":
            messages.error(request, exception.detail)
            return HttpResponseRedirect(_back(request))
        context = {"status": exception.status, "detail": exception.detail}
        return render(request, "core/error.html", context, status=exception.status)


def _conflict(request: HttpRequest, stale: Stale) -> HttpResponse:
    """A stale save, 409: the stored values beside the user's, field by field, and the user's form again
    (every value they sent, as hidden fields) with the current version and the version the form was made
    from (`base`: a service that knows that content applies only what the user changed), to apply theirs
    on top; in an htmx request inside the element the form targeted (the htmx configuration swaps a 409)."""
    sent = [
        (name, value)
        for name in request.POST
        if name not in ("csrfmiddlewaretoken", versions.FIELD, versions.BASE)
        for value in request.POST.getlist(name)
    ]
    base = request.POST.get(versions.BASE) or request.POST.get(versions.FIELD, "")  # what the form showed
    context = {"stale": stale, "sent": sent, "base": base, "action": request.path, "back": _back(request)}
    target = request.headers.get("HX-Target", "")
    if getattr(request, "htmx", None) and target:
        response = render(request, "core/_conflict.html", context, status=409)
        response["HX-Retarget"], response["HX-Reswap"] = f"#{target}", "innerHTML"
        return response
    return render(request, "core/conflict.html", context, status=409)


def _inline_error(request: HttpRequest, error: DomainError) -> HttpResponse:
    """The message at the top of the target, with each input's problem for the page's script to show
    beside that input (`core/static/core/opencsms.js`); without a target, an error toast."""
    target = request.headers.get("HX-Target", "")
    context = {"detail": error.detail, "toast": not target, "fields": sorted(error.fields.items())}
    response = render(request, "core/_error.html", context)
    response["HX-Retarget"] = f"#{target}" if target else "#toasts"
    response["HX-Reswap"] = "afterbegin" if target else "beforeend"
    return response


def _back(request: HttpRequest) -> str:
    """The page the request came from when it is on this site, else the home page."""
    referer = request.headers.get("Referer", "")
    allowed = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return referer if allowed else "/"
