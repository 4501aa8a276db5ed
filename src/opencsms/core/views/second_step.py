"""The second step of signing in, for a person whose account has a second factor: after the right password
the session is not signed in yet; it holds only who is waiting for their code (five minutes at most). The
right code (or a recovery code) signs in; a wrong one is refused (422) and counts toward the sign-in
throttle (429 while locked)."""

from __future__ import annotations

import time
from typing import Any

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from opencsms.core import second_factor
from opencsms.core.errors import DomainError
from opencsms.core.forms import CodeForm, checked
from opencsms.core.http import client_ip
from opencsms.core.models import User

PENDING = "opencsms_sign_in_pending"
PENDING_SECONDS = 300


def start(request: HttpRequest, user: User, next_url: str) -> HttpResponse:
    """After the right password of a user with a second factor: remember who waits for the code (in a new
    session key), and ask for it."""
    request.session.cycle_key()
    backend = getattr(user, "backend", "django.contrib.auth.backends.ModelBackend")
    request.session[PENDING] = {"user": user.pk, "backend": backend, "since": time.time(), "next": next_url}
    return redirect("core:login_code")


def _waiting(request: HttpRequest) -> dict[str, Any] | None:
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - float(pending.get("since", 0)) > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None
    return pending


@login_not_required
@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    pending = _waiting(request)
    if pending is None:
        messages.error(request, "Your sign-in has ended (or never started): sign in again.")
        return redirect("core:login")
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method != "POST":
        return render(request, "core/login_code.html", {"form": form})
    try:
        code = checked(form)["code"]
        user = second_factor.verify_sign_in(user_id=pending["user"], code=code, ip=client_ip(request))
    except DomainError as refused:
        context = {"form": CodeForm(), "error": refused.detail}
        return render(request, "core/login_code.html", context, status=refused.status)
    request.session.pop(PENDING, None)
    auth_login(request, user, backend=pending["backend"])
    return redirect(pending["next"])
