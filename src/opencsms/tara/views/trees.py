"""The attack tree editor of a threat scenario: the trees with each path's feasibility, and one edit."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from opencsms.core.access import needs
from opencsms.core.forms import checked
from opencsms.core.http import actor, expected_version, page_or_partial
from opencsms.organisation.access import Perm
from opencsms.tara import selectors, services
from opencsms.tara.forms import TreeEditForm
from opencsms.tara.models import Kind


@needs(Perm.VIEW, on="tara")
def tree(request: HttpRequest, tara_id: int, ref: str) -> HttpResponse:
    detail = selectors.element_detail(actor(request), tara_id, Kind.THREAT_SCENARIO, ref)
    context = {"d": detail, "oob": True}  # the partial brings the element's YAML up to date too
    return page_or_partial(request, "tara/element_detail.html", "tara/_tree.html", context)


@require_POST
@needs(Perm.EDIT, on="tara")
def tree_edit(request: HttpRequest, tara_id: int, ref: str) -> HttpResponse:
    form = TreeEditForm(request.POST)
    checked(form)
    expected = expected_version(request)
    services.edit_attack_tree(
        actor=actor(request), tara_id=tara_id, threat=ref, expected=expected, **form.edit()
    )
    return redirect("tara:tree", tara_id, ref)
