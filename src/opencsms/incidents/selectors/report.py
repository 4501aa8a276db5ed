"""The data of the annual monitoring report to the approval authority (UNECE R155 7.4): for an
organisation and a period, its incidents (counts by severity and status, times to contain and close, attacks
detected) and the vulnerability findings of its releases opened and closed. docs/incidents.md says what each
figure answers; `report_files` lays it out as CSV, XLSX and JSON.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from statistics import median

from django.db.models import Q

from opencsms.core.errors import Invalid
from opencsms.core.models import ChangeRecord, User
from opencsms.incidents.models import Incident, Severity, Status
from opencsms.organisation import selectors as organisation_selectors
from opencsms.organisation.models import Level, Organisation
from opencsms.vulns.models import Finding, VexStatus

REPORT_FORMATS = ("json", "csv", "xlsx")
CLOSED_VEX = (VexStatus.NOT_AFFECTED.value, VexStatus.FIXED.value)
TRIAGE_ACTIONS = ("vulns_finding.triaged", "vulns_finding.closed_withdrawn")
MAX_DAYS = 3660


@dataclass(frozen=True)
class Figure:
    """One figure of the report: its key, value and the question it answers."""

    key: str
    value: int | float | None
    answers: str


@dataclass(frozen=True)
class IncidentRow:
    id: int
    title: str
    project: str
    severity: str
    status: str
    detected_at: dt.datetime
    contained_at: dt.datetime | None
    closed_at: dt.datetime | None
    attack_detected: bool
    findings: int
    releases: int


@dataclass(frozen=True)
class MonitoringReport:
    organisation: Organisation
    since: dt.date
    until: dt.date
    figures: list[Figure]
    incidents: list[IncidentRow]


def _hours(start: dt.datetime, end: dt.datetime | None) -> float | None:
    return None if end is None else round((end - start).total_seconds() / 3600, 1)


def _median(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(median(known), 1) if known else None


def _bounds(since: dt.date, until: dt.date) -> tuple[dt.datetime, dt.datetime]:
    if until < since:
        raise Invalid(f"the period ends ({until}) before it starts ({since})")
    if until >= dt.date.max:
        raise Invalid(f"the period ends too late ({until})")
    if (until - since).days > MAX_DAYS:
        raise Invalid(f"the period has {(until - since).days} days; at most {MAX_DAYS} are reported")
    start = dt.datetime.combine(since, dt.time.min, tzinfo=dt.UTC)
    return start, dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)


def _incident_rows(organisation: Organisation, start: dt.datetime, end: dt.datetime) -> list[IncidentRow]:
    found = (
        Incident.objects.filter(organisation=organisation, detected_at__gte=start, detected_at__lt=end)
        .select_related("project")
        .prefetch_related("findings", "affected_releases")
        .order_by("detected_at", "id")
    )
    return [
        IncidentRow(
            i.pk,
            i.title,
            i.project.name if i.project else "",
            i.severity,
            i.status,
            i.detected_at,
            i.contained_at,
            i.closed_at,
            i.attack_detected,
            len(i.findings.all()),
            len(i.affected_releases.all()),
        )
        for i in found
    ]


def _incident_figures(rows: list[IncidentRow]) -> list[Figure]:
    figures = [Figure("incidents", len(rows), "How many incidents were detected in the period?")]
    figures += [
        Figure(
            f"incidents_{s.value}",
            sum(r.severity == s for r in rows),
            f"How many of them were of severity {s.label.lower()}?",
        )
        for s in Severity
    ]
    figures += [
        Figure(
            f"incidents_now_{s.value}",
            sum(r.status == s for r in rows),
            f"How many of them have the status {s.label.lower()} now?",
        )
        for s in Status
    ]
    return [
        *figures,
        Figure("attacks_detected", sum(r.attack_detected for r in rows),
               "How many incidents involved a detected attack, attempted or successful (R155 7.4)?"),
        Figure("median_hours_to_contain", _median([_hours(r.detected_at, r.contained_at) for r in rows]),
               "How fast were incidents contained (median hours from detection; none contained: empty)?"),
        Figure("median_hours_to_close", _median([_hours(r.detected_at, r.closed_at) for r in rows]),
               "How fast were incidents closed (median hours from detection; none closed: empty)?"),
    ]  # fmt: skip


def _finding_figures(organisation: Organisation, start: dt.datetime, end: dt.datetime) -> list[Figure]:
    findings = Finding.objects.filter(release__project__business_unit__organisation=organisation)
    opened = findings.filter(created_at__gte=start, created_at__lt=end)
    projects = organisation.business_units.values_list("projects__pk", flat=True)
    closing = Q(after__vex_status__in=CLOSED_VEX) | Q(action="vulns_finding.closed_withdrawn")
    closed = (
        ChangeRecord.objects.filter(
            closing,
            object_type="vulns.finding",
            action__in=TRIAGE_ACTIONS,
            time__gte=start,
            time__lt=end,
            scope__in=[f"project:{pk}" for pk in projects if pk is not None],
        )
        .values("object_id")
        .distinct()
        .count()
    )
    return [
        Figure("findings_opened", opened.count(),
               "How many vulnerabilities were found in the organisation's releases in the period?"),
        Figure("findings_opened_known_exploited", opened.filter(kev=True).count(),
               "How many of them are known to be exploited (CISA KEV)?"),
        Figure("findings_closed", closed,
               "How many findings were closed in the period (triaged not affected or fixed, or withdrawn)?"),
    ]  # fmt: skip


def monitoring_report(user: User, organisation_id: int, since: dt.date, until: dt.date) -> MonitoringReport:
    """The report of `organisation_id` for the days `since` to `until` (both included, UTC); `NotFound`
    when the user cannot see the organisation. Every incident and finding of the organisation counts,
    whatever project it is in: the report is the organisation's, for those who may view it."""
    organisation = organisation_selectors.level(user, Level.ORGANISATION, organisation_id)
    assert isinstance(organisation, Organisation)
    start, end = _bounds(since, until)
    rows = _incident_rows(organisation, start, end)
    figures = _incident_figures(rows) + _finding_figures(organisation, start, end)
    return MonitoringReport(organisation, since, until, figures, rows)
