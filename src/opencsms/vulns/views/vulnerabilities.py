"""The vulnerability page (one CVE or advisory across the organisation's releases, seen from the
organisation or one of its projects): the organisation's decision, the affected releases with their
exceptions, and the table's export."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from opencsms.core.access import needs
from opencsms.core.forms import checked
from opencsms.core.http import actor, attachment, expected_version
from opencsms.organisation.access import Perm
from opencsms.organisation.models import Level
from opencsms.vulns import selectors, services
from opencsms.vulns.forms import TriageForm


@needs(Perm.VIEW, on="level")
def vulnerability(request: HttpRequest, kind: Level, level_id: int, vulnerability_id: str) -> HttpResponse:
    page = selectors.vulnerability_page(
        actor(request), kind, level_id, vulnerability_id, request.GET.get("page")
    )
    return render(request, "vulns/vulnerability.html", {"v": page})


@needs(Perm.VIEW, on="level")
def export(request: HttpRequest, kind: Level, level_id: int, vulnerability_id: str, fmt: str) -> HttpResponse:
    """The affected releases with their states (every page) as CSV or XLSX."""
    made = selectors.vulnerability_export(actor(request), kind, level_id, vulnerability_id, fmt)
    return attachment(made.content, made.filename, made.media_type)


@require_POST
@needs(Perm.EDIT, on="organisation")
def decide(request: HttpRequest, organisation_id: int, vulnerability_id: str) -> HttpResponse:
    form = TriageForm(request.POST)
    checked(form)
    row = services.triage_vulnerability(
        actor=actor(request), organisation_id=organisation_id, vulnerability_id=vulnerability_id,
        expected=expected_version(request), **form.changes(),
    )  # fmt: skip
    note = f" {row.note[:1].upper()}{row.note[1:]}." if row.note else ""
    messages.success(request, f"Decision on {row.vulnerability_id} saved (version {row.version}).{note}")
    return redirect("vulns:organisation_vulnerability", organisation_id, row.vulnerability_id)


def _back(request: HttpRequest, project_id: int, vulnerability_id: str) -> HttpResponse:
    kind = request.POST.get("from")
    if kind == Level.ORGANISATION and request.POST.get("from_id", "").isdigit():
        return redirect("vulns:organisation_vulnerability", int(request.POST["from_id"]), vulnerability_id)
    return redirect("vulns:project_vulnerability", project_id, vulnerability_id)


@require_POST
@needs(Perm.EDIT, on="release")
def set_exception(request: HttpRequest, release_id: int, vulnerability_id: str) -> HttpResponse:
    form = TriageForm(request.POST)
    checked(form)
    row = services.set_triage_exception(
        actor=actor(request), release_id=release_id, vulnerability_id=vulnerability_id,
        expected=expected_version(request), **form.changes(),
    )  # fmt: skip
    messages.success(request, f"{row.release} keeps its own triage of {row.vulnerability_id}.")
    return _back(request, row.release.project_id, row.vulnerability_id)


@require_POST
@needs(Perm.EDIT, on="release")
def remove_exception(request: HttpRequest, release_id: int, vulnerability_id: str) -> HttpResponse:
    release = selectors.release(actor(request), release_id)
    services.remove_triage_exception(
        actor=actor(request), release_id=release_id, vulnerability_id=vulnerability_id,
        expected=expected_version(request),
    )  # fmt: skip
    messages.success(request, f"{release} takes the organisation's decision on {vulnerability_id} again.")
    return _back(request, release.project_id, selectors.vulnerability_id_for(
        release.project.business_unit.organisation_id, vulnerability_id))  # fmt: skip
