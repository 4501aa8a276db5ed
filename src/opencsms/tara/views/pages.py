"""The dashboard, a project's TARA list with the import form, a TARA's overview, its item definition,
downloads (TARA-as-code YAML, reports of the working state and of each baseline), a baseline's page and
the diff between two of its versions."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from opencsms.core.access import lists, needs
from opencsms.core.forms import checked
from opencsms.core.http import actor, attachment, expected_version, go, page_or_partial
from opencsms.organisation.access import Perm
from opencsms.tara import selectors, services
from opencsms.tara.forms import ImportForm, ItemForm
from opencsms.tara.forms.starting import NewTaraForm
from opencsms.tara.models import ImportJob


@lists(Perm.VIEW, on="tara")
def dashboard(request: HttpRequest) -> HttpResponse:
    board = selectors.dashboard(actor(request), request.GET.get("scope", ""))
    return render(request, "tara/dashboard.html", {"board": board})


@needs(Perm.VIEW, on="project")
def project_taras(request: HttpRequest, project_id: int) -> HttpResponse:
    services.sweep_project_imports(actor=actor(request), project_id=project_id)  # a lost job shows as such
    listing = selectors.project_taras(actor(request), project_id)
    context = {"listing": listing, "form": ImportForm(), "new_form": NewTaraForm()}
    return page_or_partial(request, "tara/project_taras.html", "tara/_project_taras.html", context)


@require_POST
@needs(Perm.EDIT, on="project")
def create_tara(request: HttpRequest, project_id: int) -> HttpResponse:
    """An empty TARA from the project page's "New TARA" form; its overview is next."""
    fields = checked(NewTaraForm(request.POST))
    tara = services.create_tara(actor=actor(request), project_id=project_id, **fields)
    messages.success(request, f"Created {tara.name}: add its elements with the New buttons of each list.")
    return go(request, reverse("tara:overview", args=[tara.pk]))


@needs(Perm.VIEW, on="project")
def import_jobs(request: HttpRequest, project_id: int) -> HttpResponse:
    """The project's latest background imports with their status (the TARA list polls it while one runs)."""
    services.sweep_project_imports(actor=actor(request), project_id=project_id)
    imports = selectors.project_imports(actor(request), project_id)
    return render(request, "tara/_import_jobs.html", {"imports": imports})


@require_POST
@needs(Perm.EDIT, on="project")
def import_tara(request: HttpRequest, project_id: int) -> HttpResponse:
    fields = checked(ImportForm(request.POST, request.FILES))
    upload, replace = fields["file"], fields["replace"]
    done = services.import_or_queue(
        actor=actor(request), project_id=project_id, raw=upload.read(), filename=upload.name, replace=replace
    )
    if isinstance(done, ImportJob):
        messages.info(request, f"{done.filename} is large: the worker imports it; its status is shown below.")
        return redirect("organisation:project", project_id)
    messages.success(request, f"Imported {done.name} (revision {done.revision}).")
    return redirect("tara:overview", done.pk)


@needs(Perm.VIEW, on="tara")
def overview(request: HttpRequest, tara_id: int) -> HttpResponse:
    page = selectors.tara_page(actor(request), tara_id)
    return render(request, "tara/overview.html", {"page": page, "item_form": ItemForm.of(page.item)})


@require_POST
@needs(Perm.EDIT, on="tara")
def item_edit(request: HttpRequest, tara_id: int) -> HttpResponse:
    form = ItemForm(request.POST)
    checked(form)
    services.update_header(
        actor=actor(request), tara_id=tara_id, changes=form.changes(), expected=expected_version(request)
    )
    messages.success(request, "Item definition saved.")
    return go(request, reverse("tara:overview", args=[tara_id]))


@needs(Perm.VIEW, on="tara")
def export_yaml(request: HttpRequest, tara_id: int) -> HttpResponse:
    tara = selectors.tara(actor(request), tara_id)
    return attachment(selectors.export_yaml(tara), f"{tara.ref}.tara.yaml", "application/yaml; charset=utf-8")


@needs(Perm.VIEW, on="tara")
def report(request: HttpRequest, tara_id: int, fmt: str) -> HttpResponse:
    made = selectors.report(selectors.tara(actor(request), tara_id), fmt)
    return attachment(made.content, made.filename, made.media_type)


@needs(Perm.VIEW, on="tara")
def baseline(request: HttpRequest, tara_id: int, baseline_id: int) -> HttpResponse:
    page = selectors.baseline_page(actor(request), tara_id, baseline_id)
    return render(request, "tara/baseline.html", {"page": page})


@needs(Perm.VIEW, on="tara")
def baseline_report(request: HttpRequest, tara_id: int, baseline_id: int, fmt: str) -> HttpResponse:
    made = selectors.report(selectors.tara(actor(request), tara_id), fmt, f"baseline:{baseline_id}")
    return attachment(made.content, made.filename, made.media_type)


@needs(Perm.VIEW, on="tara")
def diff(request: HttpRequest, tara_id: int) -> HttpResponse:
    old, new = request.GET.get("old", ""), request.GET.get("new", "working")
    page = selectors.diff_page(actor(request), tara_id, old, new)
    return page_or_partial(request, "tara/diff.html", "tara/_diff.html", {"page": page})
