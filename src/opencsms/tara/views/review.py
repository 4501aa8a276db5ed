"""Review and approval of a TARA, its baselines and comments: plain form posts that redirect to the page
they were on. Refusals (four eyes, a changed hash, method errors, a missing reason, open items not
acknowledged) come back as the services' message."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from opencsms.core.access import needs
from opencsms.core.forms import checked
from opencsms.core.http import actor
from opencsms.organisation.access import Perm
from opencsms.tara import selectors, services
from opencsms.tara.forms import ApproveForm, BaselineForm, CommentForm, NoteForm, ReasonForm


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


@needs(Perm.VIEW, on="tara")
def comments(request: HttpRequest, tara_id: int) -> HttpResponse:
    """The comments on the TARA (or on its element `?kind=&ref=`) with the form to add one."""
    kind, ref = request.GET.get("kind", ""), request.GET.get("ref", "")
    panel = selectors.comments_panel(actor(request), tara_id, kind, ref)
    return render(request, "tara/_comments.html", {"panel": panel})


@require_POST
@needs(Perm.EDIT, Perm.REVIEW, on="tara")
def comment_add(request: HttpRequest, tara_id: int) -> HttpResponse:
    fields = checked(CommentForm(request.POST))
    comment = services.add_comment(actor=actor(request), tara_id=tara_id, **fields)
    messages.success(request, "Comment added.")
    if comment.ref:
        return redirect("tara:element", tara_id, comment.kind, comment.ref)
    return redirect("tara:overview", tara_id)
