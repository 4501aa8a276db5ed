"""The advisory mirror of an organisation (seen from the organisation or one of its projects): the import
of advisory files, of KEV and EPSS, the list of advisories, and the organisation's advisory sources."""

from __future__ import annotations

from typing import TypedDict

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from opencsms.core.access import needs
from opencsms.core.forms import checked
from opencsms.core.http import actor, page_or_partial
from opencsms.organisation.access import Perm
from opencsms.organisation.models import Level
from opencsms.vulns import selectors, services
from opencsms.vulns.forms import (
    AdvisoryImportForm,
    ExploitationForm,
    LoopRuleForm,
    ScheduleForm,
    SourceForm,
    VexImportForm,
)

PAGES = {Level.ORGANISATION: "vulns:organisation_advisories", Level.PROJECT: "vulns:project_advisories"}


class Target(TypedDict):
    """Whose mirror an import writes: the organisation's, or the organisation's of the project."""

    organisation_id: int | None
    project_id: int | None


def _target(kind: Level, level_id: int) -> Target:
    return Target(
        organisation_id=level_id if kind == Level.ORGANISATION else None,
        project_id=level_id if kind == Level.PROJECT else None,
    )


@needs(Perm.VIEW, on="level")
def advisories(request: HttpRequest, kind: Level, level_id: int) -> HttpResponse:
    if kind == Level.ORGANISATION:  # its sources are shown: a sync whose worker was lost shows as failed
        services.sweep_organisation_syncs(actor=actor(request), organisation_id=level_id)
    page = selectors.advisory_page(
        actor(request), kind, level_id, request.GET.get("q", "")[:200], request.GET.get("page")
    )
    context = {
        "a": page,
        "import_form": AdvisoryImportForm(),
        "exploitation_form": ExploitationForm(),
        "source_form": SourceForm(),
        "loop_form": LoopRuleForm(),
    }
    return page_or_partial(request, "vulns/advisories.html", "vulns/_advisory_table.html", context)


@needs(Perm.VIEW, on="level")
def advisory(request: HttpRequest, kind: Level, level_id: int, advisory_id: str) -> HttpResponse:
    """One advisory (its records, aliases, affected ranges, severities and the findings it produced)."""
    detail = selectors.advisory_detail(actor(request), kind, level_id, advisory_id)
    return render(request, "vulns/advisory.html", {"d": detail})


@require_POST
@needs(Perm.EDIT, on="level")
def import_advisories(request: HttpRequest, kind: Level, level_id: int) -> HttpResponse:
    upload = checked(AdvisoryImportForm(request.POST, request.FILES))["file"]
    done = services.import_advisories(
        actor=actor(request), raw=upload.read(), filename=upload.name or "", **_target(kind, level_id)
    )
    messages.success(
        request,
        f"{upload.name}: {done.new} new, {done.changed} changed, {done.unchanged} unchanged advisories, "
        f"{done.skipped} files skipped; {done.findings} new findings, {done.closed} closed (withdrawn), "
        f"{done.no_longer_matched} closed (no longer matched).",
    )
    return redirect(PAGES[kind], level_id)


@require_POST
@needs(Perm.EDIT, on="level")
def import_exploitation(request: HttpRequest, kind: Level, level_id: int) -> HttpResponse:
    d = checked(ExploitationForm(request.POST, request.FILES))
    upload = d["file"]
    done = services.import_exploitation(
        actor=actor(request), kind=d["kind"], raw=upload.read(), filename=upload.name or "",
        **_target(kind, level_id),
    )  # fmt: skip
    label = done.kind.upper()
    messages.success(request, f"{label}: {done.entries} entries stored; {done.findings} findings changed.")
    return redirect(PAGES[kind], level_id)


@needs(Perm.VIEW, on="organisation")
def sources(request: HttpRequest, organisation_id: int) -> HttpResponse:
    """The organisation's advisory sources with their syncs' status (the page polls it while one runs)."""
    services.sweep_organisation_syncs(actor=actor(request), organisation_id=organisation_id)
    found = selectors.organisation_sources(actor(request), organisation_id)
    return render(request, "vulns/_sources.html", {"sources": found})


@require_POST
@needs(Perm.EDIT, on="organisation")
def source_create(request: HttpRequest, organisation_id: int) -> HttpResponse:
    d = checked(SourceForm(request.POST))
    source = services.create_advisory_source(actor=actor(request), organisation_id=organisation_id, **d)
    messages.success(request, f"Advisory source {source.name} created.")
    return redirect(PAGES[Level.ORGANISATION], organisation_id)


@require_POST
@needs(Perm.APPROVE, on="organisation")
def loop_rule(request: HttpRequest, organisation_id: int) -> HttpResponse:
    """The organisation's rule for the loop from new findings into its TARAs."""
    mode = checked(LoopRuleForm(request.POST))["mode"]
    rule = services.set_tara_loop_rule(actor=actor(request), organisation_id=organisation_id, mode=mode)
    messages.success(request, f"New findings and the TARAs: {rule.get_mode_display()}.")
    return redirect(PAGES[Level.ORGANISATION], organisation_id)


@require_POST
@needs(Perm.EDIT, on="advisory_source")
def source_sync(request: HttpRequest, source_id: int) -> HttpResponse:
    source = services.queue_sync(actor=actor(request), source_id=source_id)
    messages.success(request, f"Sync of {source.name} queued: the worker runs it; its status is shown below.")
    return redirect(PAGES[Level.ORGANISATION], source.organisation_id)


@require_POST
@needs(Perm.EDIT, on="organisation")
def import_vex(request: HttpRequest, organisation_id: int) -> HttpResponse:
    form = VexImportForm(request.POST, request.FILES)
    checked(form)
    made = services.import_vex(actor=actor(request), organisation_id=organisation_id, **form.document())
    messages.success(request, f"{made.kind} {made.filename} imported: {made.described}.")
    return redirect("vulns:organisation_advisories", organisation_id)


@require_POST
@needs(Perm.EDIT, on="advisory_source")
def source_schedule(request: HttpRequest, source_id: int) -> HttpResponse:
    every = checked(ScheduleForm(request.POST))["every"]
    source = services.set_schedule(actor=actor(request), source_id=source_id, every=every)
    when = selectors.every_label(source.every) if source.every else "off"
    messages.success(request, f"Schedule of {source.name} saved: {when}.")
    return redirect(PAGES[Level.ORGANISATION], source.organisation_id)
