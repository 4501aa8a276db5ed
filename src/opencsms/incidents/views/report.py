"""The monitoring report's page of an organisation (R155 7.4): the figures of a period, and its downloads."""

from __future__ import annotations

import datetime as dt
import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from opencsms.core.access import needs
from opencsms.core.errors import Invalid
from opencsms.core.forms import checked
from opencsms.core.http import actor, attachment
from opencsms.incidents import selectors
from opencsms.incidents.forms import ReportForm
from opencsms.organisation.access import Perm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
    if fmt not in selectors.REPORT_FORMATS:
        raise Invalid(f"format {fmt!r}: use one of {', '.join(selectors.REPORT_FORMATS)}")
    since, until = _period(request)
    found = selectors.monitoring_report(actor(request), organisation_id, since, until)
    name = f"monitoring-{found.organisation.name}-{since}-{until}.{fmt}"
    if fmt == "csv":
        return attachment(selectors.report_csv(found), name, "text/csv")
    if fmt == "xlsx":
        return attachment(selectors.report_xlsx(found), name, XLSX)
    text = json.dumps(selectors.report_json(found), indent=2, ensure_ascii=False)
    return attachment(text, name, "application/json")
