"""A project's releases with the SBOM upload form, a release's findings (filters, sorting, pages),
components and SBOM revisions (a new one replaces the SBOM), and its VEX documents."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.http import require_POST

from opencsms.core.access import needs
from opencsms.core.forms import checked
from opencsms.core.http import actor, attachment, page_or_partial
from opencsms.organisation.access import Perm
from opencsms.vulns import selectors, services
from opencsms.vulns.forms import BulkTriageForm, FindingFilterForm, ReplaceForm, UploadForm, VexImportForm


@needs(Perm.VIEW, on="project")
def project_releases(request: HttpRequest, project_id: int) -> HttpResponse:
    listing = selectors.project_releases(actor(request), project_id, request.GET.get("page"))
    context = {"listing": listing, "form": UploadForm()}
    return page_or_partial(request, "vulns/project_releases.html", "vulns/_project_releases.html", context)


@require_POST
@needs(Perm.EDIT, on="project")
def upload(request: HttpRequest, project_id: int) -> HttpResponse:
    form = UploadForm(request.POST, request.FILES)
    checked(form)
    release = services.upload_sbom(actor=actor(request), project_id=project_id, **form.release())
    messages.success(request, f"Release {release} uploaded.")
    if release.problems:
        messages.warning(request, f"The SBOM has {len(release.problems)} problems: see the release's page.")
    return redirect("vulns:release", release.pk)


@needs(Perm.VIEW, on="release")
def release(request: HttpRequest, release_id: int) -> HttpResponse:
    form = FindingFilterForm(request.GET)
    page = selectors.release_page(actor(request), release_id, form.to_filter(), request.GET.get("page"))
    context = {"r": page, "form": form, "replace_form": ReplaceForm()}
    return page_or_partial(request, "vulns/release.html", "vulns/_finding_table.html", context)


@require_POST
@needs(Perm.EDIT, on="release")
def replace(request: HttpRequest, release_id: int) -> HttpResponse:
    form = ReplaceForm(request.POST, request.FILES)
    checked(form)
    revision = services.replace_sbom(actor=actor(request), release_id=release_id, **form.revision())
    messages.success(request, f"SBOM revision {revision.number} uploaded: {revision.described}.")
    return redirect("vulns:release", release_id)


@require_POST
@needs(Perm.EDIT, on="release")
def import_vex(request: HttpRequest, release_id: int) -> HttpResponse:
    form = VexImportForm(request.POST, request.FILES)
    checked(form)
    made = services.import_vex(actor=actor(request), release_id=release_id, **form.document())
    messages.success(request, f"{made.kind} {made.filename} imported: {made.described}.")
    return redirect("vulns:release", release_id)


@require_POST
@needs(Perm.EDIT, on="release")
def bulk_triage(request: HttpRequest, release_id: int) -> HttpResponse:
    """One triage change to the ticked findings, or to all matching the list's filter (every page)."""
    form = BulkTriageForm(request.POST)
    checked(form)
    done = services.bulk_triage(
        actor=actor(request), release_id=release_id, changes=form.changes(),
        finding_ids=form.finding_ids(), filters=form.to_filter(), expected=form.expected(),
    )  # fmt: skip
    fields = ", ".join(form.changes())
    messages.success(request, f"{len(done)} finding{pluralize(len(done))} triaged: {fields}.")
    return redirect(f"{reverse('vulns:release', args=[release_id])}?{form.list_query()}")


@needs(Perm.VIEW, on="release")
def export(request: HttpRequest, release_id: int, fmt: str) -> HttpResponse:
    """The filtered, sorted findings list (every page) as CSV or XLSX: the list's query with `.<fmt>`."""
    made = selectors.release_export(
        actor(request), release_id, FindingFilterForm(request.GET).to_filter(), fmt
    )
    return attachment(made.content, made.filename, made.media_type)


@needs(Perm.VIEW, on="release")
def components(request: HttpRequest, release_id: int) -> HttpResponse:
    page = selectors.component_page(actor(request), release_id, request.GET.get("page"))
    return page_or_partial(request, "vulns/components.html", "vulns/_component_table.html", {"c": page})


@needs(Perm.VIEW, on="release")
def vex(request: HttpRequest, release_id: int, fmt: str) -> HttpResponse:
    found = selectors.release(actor(request), release_id)
    name = f"{found.name}-{found.version}.{fmt}.json"
    return attachment(selectors.vex_bytes(found, fmt), name, "application/json")
