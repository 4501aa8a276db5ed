"""The user administration, for superusers: every account, a new one, deactivate or activate it again,
give it a new password, remove its second factor (a lost authenticator). Organisation administrators manage
memberships (roles), not accounts: an account is not in one organisation, so deactivating it would reach
into every other one.
"""

from __future__ import annotations

from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from opencsms.core import second_factor, selectors, services
from opencsms.core.access import superuser_only
from opencsms.core.errors import Conflict, Invalid
from opencsms.core.forms import NewUserForm, ResetPasswordForm, checked
from opencsms.core.http import actor


def _page(request: HttpRequest, status: int = 200, error: str = "", **forms: Form) -> HttpResponse:
    context = {
        "users": selectors.user_rows(actor(request)),
        "new_form": NewUserForm(),
        "error": error,
        "page_url": reverse("core:users"),  # a refused form's answer shows this address (core/opencsms.js)
        **forms,
    }
    return render(request, "core/users.html", context, status=status)


@superuser_only
def user_list(request: HttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
@superuser_only
def user_create(request: HttpRequest) -> HttpResponse:
    form = NewUserForm(request.POST)
    try:
        user = services.register_user(actor=actor(request), **checked(form))
    except (Invalid, Conflict) as refused:
        return _page(request, 422, refused.detail, new_form=form)
    messages.success(request, f"User {user.username} created.")
    return redirect("core:users")


@require_POST
@superuser_only
def user_deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    user = services.set_user_active(actor=actor(request), user_id=user_id, active=False)
    messages.success(request, f"User {user.username} deactivated: they can no longer sign in.")
    return redirect("core:users")


@require_POST
@superuser_only
def user_activate(request: HttpRequest, user_id: int) -> HttpResponse:
    user = services.set_user_active(actor=actor(request), user_id=user_id, active=True)
    messages.success(request, f"User {user.username} activated.")
    return redirect("core:users")


@require_POST
@superuser_only
def user_password(request: HttpRequest, user_id: int) -> HttpResponse:
    try:
        password = checked(ResetPasswordForm(request.POST))["password"]
        user = services.reset_password(actor=actor(request), user_id=user_id, password=password)
    except Invalid as refused:
        return _page(request, 422, refused.detail)
    messages.success(request, f"New password set for {user.username}.")
    return redirect("core:users")


@require_POST
@superuser_only
def user_second_factor_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    try:
        user = second_factor.reset(actor=actor(request), user_id=user_id)
    except Conflict as refused:
        return _page(request, 409, refused.detail)
    messages.success(
        request, f"Second factor of {user.username} removed: they sign in with the password alone."
    )
    return redirect("core:users")
