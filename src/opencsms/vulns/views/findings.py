"""A finding's page (evidence, triage, threats through the TARA component, history), its triage and its
link into the TARA; the portfolio of findings across every release the user may see."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from opencsms.core.access import lists, needs
from opencsms.core.forms import checked
from opencsms.core.http import (
    actor,
    attachment,
    base_version,
    expected_version,
    page_or_partial,
    wants_partial,
)
from opencsms.core.models import User
from opencsms.organisation.access import Perm
from opencsms.vulns import selectors, services
from opencsms.vulns.forms import FindingFilterForm, LinkForm, RejectForm, TriageForm


@needs(Perm.VIEW, on="finding")
def finding(request: HttpRequest, finding_id: int) -> HttpResponse:
    page = selectors.finding_page(actor(request), finding_id)
    return render(request, "vulns/finding.html", {"f": page, "triage_form": TriageForm()})


def _panel(
    request: HttpRequest, finding_id: int, partial: str, read: Callable[[User, int], object], **forms: object
) -> HttpResponse:
    """A panel of the finding page read by its own selector for htmx; the whole page otherwise."""
    if not wants_partial(request):
        return finding(request, finding_id)
    return render(request, partial, {"panel": read(actor(request), finding_id), **forms})


@needs(Perm.VIEW, on="finding")
def triage_panel(request: HttpRequest, finding_id: int) -> HttpResponse:
    return _panel(request, finding_id, "vulns/_triage.html", selectors.triage_panel, triage_form=TriageForm())


@needs(Perm.VIEW, on="finding")
def threats_panel(request: HttpRequest, finding_id: int) -> HttpResponse:
    return _panel(request, finding_id, "vulns/_threats.html", selectors.threats_panel)


@require_POST
@needs(Perm.EDIT, on="finding")
def triage(request: HttpRequest, finding_id: int) -> HttpResponse:
    form = TriageForm(request.POST)
    checked(form)
    expected, base = expected_version(request), base_version(request)
    services.triage_finding(
        actor=actor(request), finding_id=finding_id, expected=expected, base=base, **form.changes()
    )
    return redirect("vulns:triage_panel", finding_id)


@require_POST
@needs(Perm.EDIT, on="finding")
def link(request: HttpRequest, finding_id: int) -> HttpResponse:
    d = checked(LinkForm(request.POST))
    services.link_finding_to_step(
        actor=actor(request), finding_id=finding_id, threat_ref=d["threat"], path_ref=d["path"],
        address=d["address"] or "",
    )  # fmt: skip
    return redirect("vulns:threats_panel", finding_id)


@require_POST
@needs(Perm.EDIT, on="finding")
def confirm_link(request: HttpRequest, finding_id: int, link_id: int) -> HttpResponse:
    link = services.confirm_step_link(actor=actor(request), finding_id=finding_id, link_id=link_id)
    return _after_decision(request, finding_id, link.tara_id, link.threat_ref)


@require_POST
@needs(Perm.EDIT, on="finding")
def reject_link(request: HttpRequest, finding_id: int, link_id: int) -> HttpResponse:
    reason = checked(RejectForm(request.POST))["reason"]
    link = services.reject_step_link(
        actor=actor(request), finding_id=finding_id, link_id=link_id, reason=reason
    )
    return _after_decision(request, finding_id, link.tara_id, link.threat_ref)


def _after_decision(request: HttpRequest, finding_id: int, tara_id: int, threat: str) -> HttpResponse:
    """The panel the decision was made in again: the TARA's list of a threat, or the finding's."""
    if request.POST.get("from") == "tara":
        return redirect("vulns:tara_step_links", tara_id, threat)
    return redirect("vulns:threats_panel", finding_id)


@needs(Perm.VIEW, on="tara")
def tara_step_links(request: HttpRequest, tara_id: int, ref: str) -> HttpResponse:
    """The findings rating the steps of a TARA's threat scenario (loaded into its element page)."""
    panel = selectors.step_links_panel(actor(request), tara_id, ref)
    return render(request, "vulns/_tara_step_links.html", {"panel": panel})


@lists(Perm.VIEW, on="finding")
def portfolio_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The portfolio's filtered, sorted findings (every page) as CSV or XLSX."""
    form = FindingFilterForm(request.GET)
    made = selectors.portfolio_export(actor(request), form.to_filter(), form.organisation_id(), fmt)
    return attachment(made.content, made.filename, made.media_type)


@lists(Perm.VIEW, on="finding")
def portfolio(request: HttpRequest) -> HttpResponse:
    form = FindingFilterForm(request.GET)
    page = selectors.portfolio_page(
        actor(request), form.to_filter(), form.organisation_id(), request.GET.get("page")
    )
    context = {"p": page, "form": form}
    return page_or_partial(request, "vulns/portfolio.html", "vulns/_portfolio_table.html", context)
