"""Single sign-on's two pages (core.oidc): the sign-in page's button goes to `sso_start`, which sends the
browser to the provider; the provider sends it back to `sso_callback`, which signs the person in (no local
second factor: the provider owns it) or shows the sign-in page again with the reason (4xx)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from opencsms.core.errors import DomainError
from opencsms.core.forms import LoginForm
from opencsms.core.http import client_ip
from opencsms.core.oidc import accounts, provider
from opencsms.core.views.pages import sign_in_options

BACKEND = "django.contrib.auth.backends.ModelBackend"


def _callback_url(request: HttpRequest) -> str:
    """The redirect URI registered at the provider: `OPENCSMS_BASE_URL` + the callback's path when set."""
    cfg = provider.config()
    path = reverse("core:sso_callback")
    return cfg.base_url.rstrip("/") + path if cfg and cfg.base_url else request.build_absolute_uri(path)


def _refused(request: HttpRequest, refused: DomainError) -> HttpResponse:
    context = {"form": LoginForm(), "sso_error": refused.detail, **sign_in_options(request)}
    return render(request, "core/login.html", context, status=refused.status)


@login_not_required
@require_GET
def sso_start(request: HttpRequest) -> HttpResponse:
    next_url = request.GET.get("next", "")
    safe = url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure())
    next_url = next_url if safe else resolve_url(settings.LOGIN_REDIRECT_URL)
    try:
        url = accounts.start(request.session, redirect_uri=_callback_url(request), next_url=next_url)
    except DomainError as refused:
        return _refused(request, refused)
    return HttpResponseRedirect(url)


@login_not_required
@require_GET
def sso_callback(request: HttpRequest) -> HttpResponse:
    try:
        user, next_url = accounts.complete(
            request.session, request.GET.dict(), redirect_uri=_callback_url(request), ip=client_ip(request)
        )
    except DomainError as refused:
        return _refused(request, refused)
    auth_login(request, user, backend=BACKEND)
    return redirect(next_url or settings.LOGIN_REDIRECT_URL)
