"""A person's account: their profile (name, email), password and API tokens, on one page.

A refused form is shown again with what was typed (passwords excepted) and the reason, HTTP 422. A new API
token is shown once: kept in the server-side session only until the page after its creation shows it. A
password change ends every session of the account (Django checks the password's hash on each request), this
one too: the person signs in again with the new password.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from opencsms.core import second_factor, selectors, services
from opencsms.core.access import signed_in
from opencsms.core.errors import Conflict, Invalid
from opencsms.core.forms import CodeForm, DisableFactorForm, PasswordForm, ProfileForm, TokenForm, checked
from opencsms.core.http import actor
from opencsms.core.models import User

NEW_TOKEN = "opencsms_new_api_token"  # noqa: S105 - the session key, not a token
NEW_RECOVERY_CODES = "opencsms_new_recovery_codes"


def _page(request: HttpRequest, status: int = 200, error: str = "", **forms: Form) -> HttpResponse:
    user = actor(request)
    context: dict[str, Any] = {
        "profile_form": ProfileForm(initial={name: getattr(user, name) for name in services.PROFILE_FIELDS}),
        "password_form": PasswordForm(),
        "token_form": TokenForm(),
        "tokens": selectors.own_api_tokens(user),
        "factor_on": second_factor.enabled(user),
        "factor_required": second_factor.required(user),
        "enrolment": _enrolment(user),
        "recovery_left": second_factor.recovery_codes_left(user),
        "new_recovery_codes": request.session.pop(NEW_RECOVERY_CODES, None),
        "code_form": CodeForm(),
        "disable_form": DisableFactorForm(),
        "new_token": request.session.pop(NEW_TOKEN, None),
        "error": error,
        "page_url": reverse("core:account"),  # a refused form's answer shows this address (core/opencsms.js)
        **forms,
    }
    return render(request, "core/account.html", context, status=status)


def _enrolment(user: User) -> dict[str, str] | None:
    """The waiting enrolment's secret and otpauth URI, shown to its owner until the first code confirms it."""
    device = second_factor.pending(user)
    if device is None:
        return None
    uri = second_factor.provisioning_uri(device)
    return {"secret": device.secret, "uri": uri, "qr": second_factor.provisioning_qr(uri)}


@signed_in
def account(request: HttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
@signed_in
def profile_save(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST)
    try:
        services.update_profile(actor=actor(request), **checked(form))
    except (Invalid, Conflict) as refused:
        return _page(request, 422, refused.detail, profile_form=form)
    messages.success(request, "Profile saved.")
    return redirect("core:account")


@require_POST
@signed_in
def password_change(request: HttpRequest) -> HttpResponse:
    try:
        fields = checked(PasswordForm(request.POST))
        user = services.change_password(actor=actor(request), current=fields["current"], new=fields["new"])
    except (Invalid, Conflict) as refused:
        return _page(request, 422, refused.detail)
    messages.success(request, f"Password changed: sign in again as {user.username} with the new one.")
    return redirect("core:login")  # every session of the account ends, this one too


@require_POST
@signed_in
def token_create(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    try:
        token, plain = services.create_api_token(actor=actor(request), name=checked(form)["name"])
    except (Invalid, Conflict) as refused:
        return _page(request, 422, refused.detail, token_form=form)
    request.session[NEW_TOKEN] = {"name": token.name, "token": plain}
    return redirect("core:account")


@require_POST
@signed_in
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    services.revoke_api_token(actor=actor(request), token_id=token_id)
    messages.success(request, "API token revoked.")
    return redirect("core:account")


@require_POST
@signed_in
def factor_start(request: HttpRequest) -> HttpResponse:
    try:
        second_factor.start_enrolment(actor=actor(request))
    except Conflict as refused:
        return _page(request, 409, refused.detail)
    return redirect(reverse("core:account") + "#second-factor")


@require_POST
@signed_in
def factor_confirm(request: HttpRequest) -> HttpResponse:
    try:
        code = checked(CodeForm(request.POST))["code"]
        codes = second_factor.confirm_enrolment(actor=actor(request), code=code)
    except (Invalid, Conflict) as refused:
        return _page(request, refused.status, refused.detail)
    request.session[NEW_RECOVERY_CODES] = codes
    messages.success(request, "Second factor on: from your next sign-in, a code is asked after the password.")
    return redirect(reverse("core:account") + "#second-factor")


@require_POST
@signed_in
def factor_disable(request: HttpRequest) -> HttpResponse:
    try:
        proof = checked(DisableFactorForm(request.POST))["proof"]
        second_factor.disable(actor=actor(request), proof=proof)
    except (Invalid, Conflict) as refused:
        return _page(request, refused.status, refused.detail)
    messages.success(request, "Second factor off: you sign in with your password alone.")
    return redirect(reverse("core:account") + "#second-factor")
