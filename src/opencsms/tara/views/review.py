"""Review and approval of a TARA, and its baselines: plain form posts that redirect to the overview.
Refusals (four eyes, a changed hash, method errors, a missing reason) come back as the services' message."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from opencsms.core.access import needs
from opencsms.core.forms import checked
from opencsms.core.http import actor
from opencsms.organisation.access import Perm
from opencsms.tara import services
from opencsms.tara.forms import ApproveForm, BaselineForm, NoteForm, ReasonForm


@require_POST
@needs(Perm.EDIT, on="tara")
def submit(request: HttpRequest, tara_id: int) -> HttpResponse:
    note = checked(NoteForm(request.POST))["note"]
    services.submit_for_review(actor=actor(request), tara_id=tara_id, note=note)
    messages.success(request, "Sent for review.")
    return redirect("tara:overview", tara_id)


@require_POST
@needs(Perm.EDIT, on="tara")
def withdraw(request: HttpRequest, tara_id: int) -> HttpResponse:
    services.withdraw_from_review(actor=actor(request), tara_id=tara_id)
    messages.success(request, "Withdrawn from review: the TARA is a draft again.")
    return redirect("tara:overview", tara_id)


@require_POST
@needs(Perm.REVIEW, on="tara")
def return_to_draft(request: HttpRequest, tara_id: int) -> HttpResponse:
    reason = checked(ReasonForm(request.POST))["reason"]
    services.return_to_draft(actor=actor(request), tara_id=tara_id, reason=reason)
    messages.success(request, "Returned to draft.")
    return redirect("tara:overview", tara_id)


@require_POST
@needs(Perm.APPROVE, on="tara")
def approve(request: HttpRequest, tara_id: int) -> HttpResponse:
    fields = checked(ApproveForm(request.POST))
    baseline = services.approve(actor=actor(request), tara_id=tara_id, **fields)
    messages.success(request, f"Approved: baseline {baseline.name} recorded.")
    return redirect("tara:overview", tara_id)


@require_POST
@needs(Perm.EDIT, Perm.REVIEW, on="tara")
def baseline_create(request: HttpRequest, tara_id: int) -> HttpResponse:
    name = checked(BaselineForm(request.POST))["name"]
    baseline = services.create_baseline(actor=actor(request), tara_id=tara_id, name=name)
    messages.success(request, f"Baseline {baseline.name} created.")
    return redirect("tara:overview", tara_id)
