"""The traceability matrix of a TARA (asset to control, gaps highlighted) and its downloads."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from opencsms.core.access import needs
from opencsms.core.http import actor, attachment
from opencsms.organisation.access import Perm
from opencsms.tara import selectors


@needs(Perm.VIEW, on="tara")
def traceability(request: HttpRequest, tara_id: int) -> HttpResponse:
    only_gaps, number = request.GET.get("gaps") == "1", request.GET.get("page")
    page = selectors.trace_page(actor(request), tara_id, only_gaps=only_gaps, number=number)
    return render(request, "tara/traceability.html", {"page": page})


@needs(Perm.VIEW, on="tara")
def traceability_file(request: HttpRequest, tara_id: int, fmt: str) -> HttpResponse:
    made = selectors.trace_file(selectors.tara(actor(request), tara_id), fmt)
    return attachment(made.content, made.filename, made.media_type)
