"""The caller's notifications, and marking them read."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from opencsms.core.access import signed_in
from opencsms.core.forms import checked
from opencsms.core.http import actor, page_or_partial
from opencsms.vulns import selectors, services
from opencsms.vulns.forms import ReadForm


@signed_in
def notification_list(request: HttpRequest) -> HttpResponse:
    unread = request.GET.get("unread") == "1"
    page = selectors.notification_page(
        actor(request), unread_only=unread, page_number=request.GET.get("page")
    )
    context = {"page": page, "unread": unread}
    return page_or_partial(request, "vulns/notifications.html", "vulns/_notification_table.html", context)


@require_POST
@signed_in
def mark_read(request: HttpRequest) -> HttpResponse:
    form = ReadForm(request.POST)
    checked(form)
    services.mark_notifications_read(actor=actor(request), notification_ids=form.ids())
    return redirect("vulns:notifications")
