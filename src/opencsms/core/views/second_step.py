"""The second step of signing in, for a person whose account has a second factor: after the right password
the session is not signed in yet; it holds only who is waiting for their code (five minutes at most). The
right code (or a recovery code) signs in; a wrong one is refused (422) and counts toward the sign-in
throttle (429 while locked). A person the server requires to have one (`OPENCSMS_REQUIRE_TOTP`) and who has
none sets it up here instead (`login_enrol`): signed in once its first code is right."""

from __future__ import annotations

import time
from typing import Any

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from opencsms.core import second_factor
from opencsms.core.errors import DomainError
from opencsms.core.forms import CodeForm, checked
from opencsms.core.http import client_ip
from opencsms.core.models import User
from opencsms.core.views.account import NEW_RECOVERY_CODES

PENDING = "opencsms_sign_in_pending"
PENDING_SECONDS = 300


def start(request: HttpRequest, user: User, next_url: str, *, enrol: bool = False) -> HttpResponse:
    """After the right password of a user with a second factor (or who must set one up: `enrol`): remember
    who waits for the code (in a new session key), and ask for it."""
    if enrol:
        second_factor.start_enrolment(actor=user)
    request.session.cycle_key()
    backend = getattr(user, "backend", "django.contrib.auth.backends.ModelBackend")
    step = "enrol" if enrol else "code"
    request.session[PENDING] = {
        "user": user.pk, "backend": backend, "since": time.time(), "next": next_url, "step": step,
    }  # fmt: skip
    return redirect(f"core:login_{step}")


def _waiting(request: HttpRequest, step: str) -> dict[str, Any] | None:
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - float(pending.get("since", 0)) > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None
    return pending if pending.get("step") == step else None


def _again(request: HttpRequest) -> HttpResponse:
    messages.error(request, "Your sign-in has ended (or never started): sign in again.")
    return redirect("core:login")


@login_not_required
@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    pending = _waiting(request, "code")
    if pending is None:
        return _again(request)
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


@login_not_required
@require_http_methods(["GET", "POST"])
def login_enrol(request: HttpRequest) -> HttpResponse:
    """Set up the required second factor after the right password: the secret and its link, then a code."""
    pending = _waiting(request, "enrol")
    user = second_factor.signing_in(pending["user"]) if pending else None
    device = second_factor.pending(user) if user else None
    if pending is None or user is None or device is None:
        return _again(request)
    uri = second_factor.provisioning_uri(device)
    context = {"secret": device.secret, "uri": uri, "qr": second_factor.provisioning_qr(uri), "error": ""}
    if request.method == "POST":
        try:
            code = checked(CodeForm(request.POST))["code"]
            codes = second_factor.confirm_enrolment(actor=user, code=code)
        except DomainError as refused:
            return render(request, "core/login_enrol.html", {**context, "error": refused.detail}, status=422)
        request.session.pop(PENDING, None)
        auth_login(request, user, backend=pending["backend"])
        request.session[NEW_RECOVERY_CODES] = codes
        messages.success(request, "Second factor on: keep your recovery codes now, they are not shown again.")
        return redirect(reverse("core:account") + "#second-factor")
    return render(request, "core/login_enrol.html", context)
