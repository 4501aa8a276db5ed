"""Pages of the core app: sign-in and sign-out, the audit log and the history of one object.

The audit views receive `visible(user) -> Q` from the URL configuration (`config/urls.py` passes the
organisation app's `audit_visibility`): core knows no domain app, so the app that owns the permissions says
which audit scopes a reader may see.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import Q
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from opencsms.core import selectors
from opencsms.core.access import lists
from opencsms.core.forms import LoginForm
from opencsms.core.http import actor, client_ip
from opencsms.core.models import MAX_ID, User

Visibility = Callable[[User], Q]


class LoginView(auth_views.LoginView):
    """Django's sign-in page with our template and the throttled form (429 while locked out)."""

    template_name = "core/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "ip": client_ip(self.request)}

    def form_invalid(self, form: BaseForm) -> HttpResponse:
        status = 429 if form.has_error(NON_FIELD_ERRORS, "throttled") else 200
        return self.render_to_response(self.get_context_data(form=form), status=status)


login = login_not_required(LoginView.as_view())
logout = auth_views.LogoutView.as_view()


@lists("view", on="tara")  # organisation.access.Perm.VIEW (core cannot import it)
def audit_log(request: HttpRequest, visible: Visibility) -> HttpResponse:
    """The latest audit records the user may see; `?before=<seq>` pages back (htmx appends the rows)."""
    before = request.GET.get("before", "")
    seq = int(before) if before.isdigit() and int(before) <= MAX_ID else None
    records = selectors.recent_changes(visible(actor(request)), before_seq=seq)
    partial = bool(getattr(request, "htmx", False)) and seq is not None
    template = "core/_audit_rows.html" if partial else "core/audit_log.html"
    return render(request, template, {"records": records, "page_size": selectors.AUDIT_PAGE_SIZE})


@lists("view", on="tara")
def object_history(
    request: HttpRequest, object_type: str, object_id: str, visible: Visibility
) -> HttpResponse:
    """The audit records of one object (`?scope=project:12` adds everything recorded at that level)."""
    records = selectors.object_history(
        visible(actor(request)),
        object_type=object_type,
        object_id=object_id,
        scope=request.GET.get("scope", ""),
    )
    template = "core/_history.html" if getattr(request, "htmx", False) else "core/object_history.html"
    return render(request, template, {"records": records, "object_type": object_type, "object_id": object_id})
