"""The incidents' pages: the list, a new incident (of an organisation, or of a project, prefilled from a
finding), an incident's page with its timeline, actions, communications and closure, and the incident panel
of a finding's page."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from opencsms.core.access import lists, needs
from opencsms.core.forms import checked
from opencsms.core.http import actor, expected_version
from opencsms.incidents import selectors, services
from opencsms.incidents.forms import (
    ActionForm,
    CloseForm,
    CommunicationForm,
    DoneForm,
    EntryForm,
    IncidentForm,
)
from opencsms.incidents.models import EntryKind, Severity, Status
from opencsms.organisation.access import Perm
from opencsms.organisation.models import Level

ENTRY_KINDS = [(k, label) for k, label in EntryKind.choices if k != EntryKind.STATUS_CHANGE]


@lists(Perm.VIEW, on="incident")
def incident_list(request: HttpRequest) -> HttpResponse:
    found = selectors.incidents(actor(request), status=request.GET.get("status") or None)
    context = {"incidents": found, "statuses": Status.choices, "status": request.GET.get("status", "")}
    return render(request, "incidents/incident_list.html", context)


@require_http_methods(["GET", "POST"])
@needs(Perm.EDIT, on="level")
def incident_new(request: HttpRequest, kind: Level, level_id: int) -> HttpResponse:
    """The form (GET; `?finding=` prefills it from a finding of the project) and its post."""
    if request.method == "POST":
        form = IncidentForm(request.POST)
        d = checked(form)
        incident = services.open_incident(
            actor=actor(request), kind=kind, level_id=level_id, release_ids=d["releases"],
            finding_ids=d["findings"], **form.facts(),
        )  # fmt: skip
        messages.success(request, f"Incident {incident.pk} opened.")
        return redirect("incidents:incident", incident.pk)
    page = selectors.new_incident_page(actor(request), kind, level_id, request.GET.get("finding"))
    context = {"page": page, "severities": Severity.choices}
    return render(request, "incidents/incident_new.html", context)


@needs(Perm.VIEW, on="incident")
def incident(request: HttpRequest, incident_id: int) -> HttpResponse:
    page = selectors.incident_page(actor(request), incident_id)
    context = {"page": page, "i": page.incident, "severities": Severity.choices, "statuses": Status.choices,
               "kinds": ENTRY_KINDS}  # fmt: skip
    return render(request, "incidents/incident.html", context)


@require_POST
@needs(Perm.EDIT, on="incident")
def incident_edit(request: HttpRequest, incident_id: int) -> HttpResponse:
    form = IncidentForm(request.POST)
    d = checked(form)
    services.update_incident(
        actor=actor(request), incident_id=incident_id, changes=form.facts(), release_ids=d["releases"],
        expected=expected_version(request),
    )  # fmt: skip
    messages.success(request, "Incident saved.")
    return redirect("incidents:incident", incident_id)


@require_POST
@needs(Perm.EDIT, on="incident")
def entry_add(request: HttpRequest, incident_id: int) -> HttpResponse:
    d = checked(EntryForm(request.POST))
    services.add_entry(
        actor=actor(request), incident_id=incident_id, kind=d["kind"], text=d["text"], at=d["at"]
    )
    messages.success(request, "Timeline entry added.")
    return redirect("incidents:incident", incident_id)


@require_POST
@needs(Perm.EDIT, on="incident")
def action_add(request: HttpRequest, incident_id: int) -> HttpResponse:
    d = checked(ActionForm(request.POST))
    services.add_action(
        actor=actor(request), incident_id=incident_id, title=d["title"], owner_id=d["owner"], due=d["due"]
    )
    messages.success(request, "Remedial action added.")
    return redirect("incidents:incident", incident_id)


@require_POST
@needs(Perm.EDIT, on="incident")
def action_done(request: HttpRequest, incident_id: int) -> HttpResponse:
    d = checked(DoneForm(request.POST))
    services.complete_action(actor=actor(request), incident_id=incident_id, action_id=d["action"])
    messages.success(request, "Remedial action done.")
    return redirect("incidents:incident", incident_id)


@require_POST
@needs(Perm.EDIT, on="incident")
def communication_add(request: HttpRequest, incident_id: int) -> HttpResponse:
    d = checked(CommunicationForm(request.POST))
    services.record_communication(actor=actor(request), incident_id=incident_id, **d)
    messages.success(request, "Communication recorded.")
    return redirect("incidents:incident", incident_id)


@require_POST
@needs(Perm.EDIT, on="incident")
def incident_close(request: HttpRequest, incident_id: int) -> HttpResponse:
    d = checked(CloseForm(request.POST))
    services.close_incident(
        actor=actor(request), incident_id=incident_id, confirmed=d["confirmed"], note=d["note"],
        expected=expected_version(request),
    )  # fmt: skip
    messages.success(request, "Incident closed.")
    return redirect("incidents:incident", incident_id)


@needs(Perm.VIEW, on="finding")
def finding_panel(request: HttpRequest, finding_id: int) -> HttpResponse:
    """The finding page's incident panel (loaded by htmx): the incidents linking it, and opening one."""
    finding, linked, can_open = selectors.finding_incidents(actor(request), finding_id)
    context = {"finding": finding, "linked": linked, "can_open": can_open}
    return render(request, "incidents/_finding_incidents.html", context)
