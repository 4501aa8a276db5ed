"""The incident response plan of an organisation or a project: its page (the form shows the stored plan,
or on a project without its own the organisation's it follows) and its save."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from opencsms.core.access import needs
from opencsms.core.forms import checked
from opencsms.core.http import actor, expected_version
from opencsms.incidents import selectors, services
from opencsms.incidents.forms import PlanForm
from opencsms.organisation.access import Perm
from opencsms.organisation.models import Level


@needs(Perm.VIEW, on="level")
def plan(request: HttpRequest, kind: Level, level_id: int) -> HttpResponse:
    page = selectors.plan_page(actor(request), kind, level_id)
    return render(request, "incidents/plan.html", {"page": page, "level": page.level})


@require_POST
@needs(Perm.EDIT, on="level")
def plan_save(request: HttpRequest, kind: Level, level_id: int) -> HttpResponse:
    form = PlanForm(request.POST)
    checked(form)
    saved = services.save_plan(
        actor=actor(request), kind=kind, level_id=level_id, contents=form.contents(),
        expected=expected_version(request),
    )  # fmt: skip
    messages.success(request, f"Plan saved as revision {saved.revision}.")
    return redirect(f"incidents:{kind}_plan", level_id)
