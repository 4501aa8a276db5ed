"""The monitoring report's page of an organisation (R155 7.4): the figures of a period, and its downloads."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from opencsms.core.access import needs
from opencsms.core.forms import checked
from opencsms.core.http import actor, attachment
from opencsms.incidents import selectors
from opencsms.incidents.forms import ReportForm
from opencsms.organisation.access import Perm


def _period(request: HttpRequest) -> tuple[dt.date, dt.date]:
    """The period asked for, by default the last calendar year."""
    if not request.GET:
        year = timezone.now().year - 1
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    d = checked(ReportForm(request.GET))
    return d["since"], d["until"]


@needs(Perm.VIEW, on="organisation")
def report(request: HttpRequest, organisation_id: int) -> HttpResponse:
    since, until = _period(request)
    found = selectors.monitoring_report(actor(request), organisation_id, since, until)
    return render(request, "incidents/report.html", {"r": found, "formats": selectors.REPORT_FORMATS})


@needs(Perm.VIEW, on="organisation")
def report_file(request: HttpRequest, organisation_id: int, fmt: str) -> HttpResponse:
    since, until = _period(request)
    found = selectors.report_file(
        selectors.monitoring_report(actor(request), organisation_id, since, until), fmt
    )
    return attachment(found.content, found.filename, found.media_type)
