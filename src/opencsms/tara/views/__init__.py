"""Pages of the TARA workspace, one module per noun: parse, one selector or service call, render.

A list or panel renders its `_partial` for an htmx request (filters, sorting, paging, inline edits) and
the full page otherwise. A successful POST redirects to the page (or, for htmx, the partial) that shows
the result, so the re-evaluated risks come from the same read as every other view. Services' errors are
mapped by `core.middleware.DomainErrorMiddleware` (shown inline in htmx requests).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def page_or_partial(request: HttpRequest, page: str, partial: str, context: dict[str, Any]) -> HttpResponse:
    htmx = getattr(request, "htmx", None)
    return render(request, partial if htmx and not htmx.boosted else page, context)
