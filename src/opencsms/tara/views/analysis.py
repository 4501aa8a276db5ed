"""The analysis pages of a TARA: the architecture picture, threat generation with the decisions on what it
proposed, attack paths with their pictures (and turning them into attack trees), and UN R155 Annex 5
coverage (and declaring a threat not applicable). Parse, one selector or service call, render."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from opencsms.core.access import needs
from opencsms.core.forms import checked
from opencsms.core.http import actor, page_or_partial
from opencsms.organisation.access import Perm
from opencsms.tara import selectors, services
from opencsms.tara.forms import AttachPathsForm, GenerateForm, NotApplicableForm, PathsForm
from opencsms.tara.forms.bulk import DecisionForm
from opencsms.tara.models import Kind


@needs(Perm.VIEW, on="tara")
def architecture(request: HttpRequest, tara_id: int) -> HttpResponse:
    page = selectors.architecture_page(actor(request), tara_id)
    return render(request, "tara/architecture.html", {"page": page})


@needs(Perm.VIEW, on="tara")
def generation(request: HttpRequest, tara_id: int) -> HttpResponse:
    state, q, number = request.GET.get("state", ""), request.GET.get("q", "")[:200], request.GET.get("page")
    page = selectors.generation_page(actor(request), tara_id, state, q, number)
    return page_or_partial(request, "tara/generation.html", "tara/_generated.html", {"page": page})


@require_POST
@needs(Perm.EDIT, on="tara")
def generate(request: HttpRequest, tara_id: int) -> HttpResponse:
    with_paths = checked(GenerateForm(request.POST))["with_paths"]
    plan = services.generate_threats(actor=actor(request), tara_id=tara_id, with_paths=with_paths)
    if plan.changes:
        messages.success(
            request,
            f"Generated: {len(plan.add)} new threat scenarios proposed, {len(plan.obsolete)} marked "
            f"obsolete, {len(plan.revive)} matching again.",
        )
    else:
        messages.info(request, "Nothing to change: the TARA has every threat scenario the rules propose.")
    return redirect("tara:generation", tara_id)


@require_POST
@needs(Perm.EDIT, on="tara")
def decide(request: HttpRequest, tara_id: int) -> HttpResponse:
    """Accept, reject or put back the ticked generated threat scenarios, or all matching the filter."""
    form = DecisionForm(request.POST)
    fields = checked(form)
    refs = selectors.selected_generated(actor(request), tara_id, form.selection())
    decided = services.decide_threats(
        actor=actor(request),
        tara_id=tara_id,
        refs=refs,
        status=fields["decision"],
        rationale=fields["rationale"],
    )
    messages.success(request, f"{len(decided)} threat scenario(s) {fields['decision']}.")
    back = reverse("tara:generation", args=[tara_id])
    state = fields["state"] if fields["state"] in selectors.GENERATED_STATES else ""
    kept = urlencode({key: value for key, value in (("state", state), ("q", fields["q"])) if value})
    return redirect(f"{back}?{kept}" if kept else back)


@needs(Perm.VIEW, on="tara")
def paths(request: HttpRequest, tara_id: int) -> HttpResponse:
    fields = checked(PathsForm(request.GET))
    page = selectors.paths_page(
        actor(request), tara_id, fields["asset"], fields["k"] or 3, bool(fields["residual"])
    )
    return page_or_partial(request, "tara/paths.html", "tara/_paths.html", {"page": page})


@require_POST
@needs(Perm.EDIT, on="tara")
def attach_paths(request: HttpRequest, tara_id: int) -> HttpResponse:
    fields = checked(AttachPathsForm(request.POST))
    threat, added = services.attach_paths(
        actor=actor(request), tara_id=tara_id, threat_ref=fields["threat"], k=fields["k"]
    )
    messages.success(request, f"Added {', '.join(added)} to {threat.ref} as attack trees.")
    return redirect("tara:element", tara_id, Kind.THREAT_SCENARIO, threat.ref)


@needs(Perm.VIEW, on="tara")
def annex5(request: HttpRequest, tara_id: int) -> HttpResponse:
    page = selectors.coverage_page(actor(request), tara_id, request.GET.get("state", ""))
    return page_or_partial(request, "tara/annex5.html", "tara/_annex5_threats.html", {"page": page})


@require_POST
@needs(Perm.EDIT, on="tara")
def not_applicable(request: HttpRequest, tara_id: int) -> HttpResponse:
    fields = checked(NotApplicableForm(request.POST))
    data = {"id": fields["annex5"], "rationale": fields["rationale"]}
    services.create_element(actor=actor(request), tara_id=tara_id, kind=Kind.NOT_APPLICABLE, data=data)
    messages.success(request, f"UN R155 Annex 5 {fields['annex5']} recorded as not applicable.")
    return redirect(f"{reverse('tara:annex5', args=[tara_id])}#annex5-{fields['annex5']}")
