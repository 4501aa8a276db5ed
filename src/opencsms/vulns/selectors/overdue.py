"""An organisation's overdue findings: open findings past their due date, with how many days, their owner,
project and release, the most overdue first (or the least), for the page and the API."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils import timezone

from opencsms.core.models import User
from opencsms.engine.catalogue.sla import SlaTerms
from opencsms.organisation import selectors as organisation_selectors
from opencsms.organisation.models import Level, Organisation
from opencsms.vulns.models import Finding
from opencsms.vulns.selectors.records import FindingFilter, portfolio_findings
from opencsms.vulns.selectors.sla import days_overdue, terms_for

OVERDUE_SORTS = ("due_date", "-due_date")  # the most days overdue first, or the fewest first
PAGE_SIZE = 50


def _organisation(user: User, organisation_id: int) -> Organisation:
    found = organisation_selectors.level(user, Level.ORGANISATION, organisation_id)
    assert isinstance(found, Organisation)
    return found


def _overdue(user: User, organisation: Organisation, sort: str) -> QuerySet[Finding]:
    order = sort if sort in OVERDUE_SORTS else OVERDUE_SORTS[0]
    return portfolio_findings(user, FindingFilter(sort=order, overdue=True), organisation_id=organisation.pk)


def overdue_findings(user: User, organisation_id: int, sort: str = "due_date") -> QuerySet[Finding]:
    """The organisation's open findings past due that the user may see (`NotFound` for an organisation
    the user cannot see)."""
    return _overdue(user, _organisation(user, organisation_id), sort)


def with_days(rows: list[Finding], today: dt.date | None = None) -> list[Finding]:
    """The rows, each with `days_overdue` set (for the page and the API)."""
    day = today or timezone.localdate()
    for row in rows:
        row.days_overdue = days_overdue(row, day)  # type: ignore[attr-defined]
    return rows


@dataclass(frozen=True)
class OverduePage:
    organisation: Organisation
    page: Page[Any]
    sort: str
    terms: SlaTerms


def overdue_page(user: User, organisation_id: int, sort: str, page_number: str | int | None) -> OverduePage:
    """A page of the organisation's overdue findings (see the module) and the SLA they are held to."""
    organisation = _organisation(user, organisation_id)
    page = Paginator(_overdue(user, organisation, sort), PAGE_SIZE).get_page(page_number)
    page.object_list = with_days(list(page.object_list))
    return OverduePage(
        organisation, page, sort if sort in OVERDUE_SORTS else "due_date", terms_for(organisation_id)
    )
