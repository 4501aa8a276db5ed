"""Sign-in and sign-out, the admin's sign-in redirect, the audit log and the history of one object.

The audit views receive `visible(user) -> Q` from the URL configuration (`config/urls.py` passes the
organisation app's `audit_visibility`): core knows no domain app, so the app that owns the permissions says
which audit scopes a reader may see.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.db.models import Q
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render

from opencsms.core import history, second_factor
from opencsms.core.access import lists, signed_in
from opencsms.core.forms import AuditFilterForm, LoginForm
from opencsms.core.http import actor, client_ip, page_or_partial, streamed_attachment
from opencsms.core.models import MAX_ID, User
from opencsms.core.oidc import provider
from opencsms.core.views import second_step

Visibility = Callable[[User], Q]


class LoginView(auth_views.LoginView):
    """Django's sign-in page with our template and the throttled form (429 while locked out)."""

    template_name = "core/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_form_kwargs(self) -> dict[str, Any]:
        local_sign_in = provider.local_sign_in(provider.config())
        return {**super().get_form_kwargs(), "ip": client_ip(self.request), "local_sign_in": local_sign_in}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), **sign_in_options(self.request)}

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        """Signs in, or, for an account with a second factor, asks for its code first (`second_step`)."""
        user = form.get_user()
        if second_factor.enabled(user):
            return second_step.start(self.request, user, self.get_success_url())
        if second_factor.required(user):
            return second_step.start(self.request, user, self.get_success_url(), enrol=True)
        return super().form_valid(form)

    def form_invalid(self, form: BaseForm) -> HttpResponse:
        status = 429 if form.has_error(NON_FIELD_ERRORS, "throttled") else 200
        status = 403 if form.has_error(NON_FIELD_ERRORS, "password_off") else status
        return self.render_to_response(self.get_context_data(form=form), status=status)


def sign_in_options(request: HttpRequest) -> dict[str, Any]:
    """What the sign-in page offers: the single sign-on button (`sso`: its settings, or None) and the
    password form (`show_password`); with single sign-on only, superusers find theirs at `?password`."""
    cfg = provider.config()
    local_sign_in = provider.local_sign_in(cfg)
    asked = "password" in request.GET or request.method == "POST"
    show = local_sign_in == "everyone" or (local_sign_in == "superusers" and asked)
    return {"sso": cfg, "local_sign_in": local_sign_in, "show_password": show}


login = login_not_required(LoginView.as_view())
logout = auth_views.LogoutView.as_view()


@login_not_required
def admin_login(request: HttpRequest) -> HttpResponse:
    """Where the admin sends a caller it refuses: a visitor signs in on our (throttled) page; a signed-in
    user who is not a superuser gets the 403 page (sending them to sign in again would loop)."""
    if request.user.is_authenticated:
        raise PermissionDenied("the admin is for superusers only")
    return redirect_to_login(request.GET.get("next", "/admin/"), "core:login")


@lists("view", on="tara")  # organisation.access.Perm.VIEW (core cannot import it)
def audit_log(request: HttpRequest, visible: Visibility) -> HttpResponse:
    """The latest audit records the user may see, filtered (user, object, action, time); `?before=<seq>`
    pages back (htmx appends the rows)."""
    form = AuditFilterForm(request.GET)
    before = request.GET.get("before", "")
    seq = int(before) if before.isdigit() and int(before) <= MAX_ID else None
    records = history.audit_page(visible(actor(request)), form.filters(), before_seq=seq)
    partial = bool(getattr(request, "htmx", False)) and seq is not None
    template = "core/_audit_rows.html" if partial else "core/audit_log.html"
    context = {"records": records, "page_size": history.AUDIT_PAGE_SIZE, "form": form}
    return render(request, template, context)


@lists("view", on="tara")
def audit_export(request: HttpRequest, visible: Visibility) -> StreamingHttpResponse:
    """The filtered audit records the user may see as CSV (the audit log's filters)."""
    lines = history.export_csv(visible(actor(request)), AuditFilterForm(request.GET).filters())
    return streamed_attachment(lines, "opencsms-audit.csv", "text/csv; charset=utf-8")


@signed_in
def audit_verify(request: HttpRequest) -> HttpResponse:
    """Verify the whole hash chain (`opencsms audit verify`): how many records, and any problem."""
    return render(request, "core/_chain_check.html", {"check": history.check_chain()})


@lists("view", on="tara")
def object_history(
    request: HttpRequest, object_type: str, object_id: str, visible: Visibility
) -> HttpResponse:
    """The audit records of one object, paged (`?scope=project:12` adds everything recorded at that level)."""
    page = history.history_page(
        visible(actor(request)),
        object_type=object_type,
        object_id=object_id,
        scope=request.GET.get("scope", ""),
        page_number=request.GET.get("page"),
    )
    context = {"page": page, "object_type": object_type, "object_id": object_id}
    return page_or_partial(request, "core/object_history.html", "core/_history.html", context)
