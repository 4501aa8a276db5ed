"""The portfolio's bulk triage: one triage change to the ticked findings of any releases, or to all
matching the portfolio's filter (every page), then back to the list as it was filtered."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.http import require_POST

from opencsms.core.access import needs
from opencsms.core.forms import checked
from opencsms.core.http import actor
from opencsms.organisation.access import Perm
from opencsms.vulns import services
from opencsms.vulns.forms import BulkTriageForm


@require_POST
@needs(Perm.EDIT, on="finding")
def portfolio_bulk_triage(request: HttpRequest) -> HttpResponse:
    form = BulkTriageForm(request.POST)
    checked(form)
    done = services.bulk_triage_portfolio(
        actor=actor(request), changes=form.changes(), organisation_id=form.organisation_id(),
        finding_ids=form.finding_ids(), filters=form.to_filter(), expected=form.expected(),
    )  # fmt: skip
    fields = ", ".join(form.changes())
    messages.success(request, f"{len(done)} finding{pluralize(len(done))} triaged: {fields}.")
    return redirect(f"{reverse('vulns:portfolio')}?{form.list_query()}")
