"""An organisation's remediation service levels (SLA: its page and the administrators' form) and its
overdue findings."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from opencsms.core.access import needs
from opencsms.core.forms import checked
from opencsms.core.http import actor, page_or_partial
from opencsms.organisation.access import Perm
from opencsms.vulns import selectors, services
from opencsms.vulns.forms import SlaPolicyForm


@needs(Perm.VIEW, on="organisation")
def sla_policy(request: HttpRequest, organisation_id: int) -> HttpResponse:
    found = selectors.sla_policy(actor(request), organisation_id)
    return render(request, "vulns/sla_policy.html", {"sla": found})


@require_POST
@needs(Perm.ADMINISTER, on="organisation")
def sla_policy_edit(request: HttpRequest, organisation_id: int) -> HttpResponse:
    form = SlaPolicyForm(request.POST)
    d = checked(form)
    policy = services.set_sla_policy(
        actor=actor(request), organisation_id=organisation_id, terms=form.terms(), expected=d["etag"] or None
    )
    messages.success(request, f"SLA saved: version {policy.version} applies to the open findings.")
    return redirect("vulns:sla_policy", organisation_id)


@needs(Perm.VIEW, on="organisation")
def overdue(request: HttpRequest, organisation_id: int) -> HttpResponse:
    page = selectors.overdue_page(
        actor(request), organisation_id, request.GET.get("sort", ""), request.GET.get("page")
    )
    return page_or_partial(request, "vulns/overdue.html", "vulns/_overdue_table.html", {"o": page})
