"""Builders of incident response: a plan with two closure criteria, an incident of a project opened from a
finding, through the services (audited, as the pages and the API make them)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from opencsms.core.models import User
from opencsms.incidents import services
from opencsms.incidents.models import Incident, ResponsePlan
from opencsms.organisation.models import Level
from opencsms.vulns.models import Finding

CRITERIA = ("Every affected release is fixed or mitigated", "Customers and the authority were informed")
PLAN = {
    "remedial_actions": "Patch, mitigate or withdraw the affected software.",
    "communication_plan": "Tell the OEM's PSIRT within 24 hours; the approval authority when R155 7.4 asks.",
    "responsibilities": "Incident lead: the cybersecurity manager. Fixes: the ECU's engineers.",
    "recording_procedure": "Every observation goes into the incident's timeline, with its time.",
    "progress_method": "Remedial actions done against their due dates.",
    "closure_criteria": "\n".join(CRITERIA),
    "closure_actions": "Update the TARA; archive the incident record.",
}


def make_plan(actor: User, kind: Level, level_id: int, **changes: str) -> ResponsePlan:
    return services.save_plan(actor=actor, kind=kind, level_id=level_id, contents={**PLAN, **changes})


def make_incident(
    actor: User,
    finding: Finding,
    *,
    title: str = "Exploit attempt on the TCU",
    detected_at: dt.datetime | None = None,
    severity: str = "high",
    **fields: object,
) -> Incident:
    return services.open_incident(
        actor=actor,
        kind=Level.PROJECT,
        level_id=finding.release.project_id,
        title=title,
        detected_at=detected_at or timezone.now() - dt.timedelta(hours=2),
        reported_by="SOC",
        severity=severity,
        release_ids=[finding.release_id],
        finding_ids=[finding.pk],
        **fields,  # type: ignore[arg-type]
    )
