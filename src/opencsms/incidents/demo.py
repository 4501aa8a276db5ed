"""Demo data of incident response: the demo organisation's incident response plan, and one incident of the
demo project opened from the most severe finding of the TCU release, with a timeline entry, a remedial
action and a communication, so a new user sees clause 13 at work and can close it (docs/incidents.md).

`load_demo_incident()` is idempotent: it saves the plan only when the organisation has none and opens the
incident only when the project has none of that title; everything is made through the services (audited).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from opencsms.core.errors import Invalid
from opencsms.core.models import User
from opencsms.incidents import selectors, services
from opencsms.incidents.models import Incident
from opencsms.organisation import selectors as organisation_selectors
from opencsms.organisation.models import Level, Project
from opencsms.vulns import selectors as vulns_selectors

TITLE = "Exploitation attempt against the TCU's telematics stack"
PLAN = {
    "remedial_actions": "Contain (block the attack path at the back end), then patch or mitigate "
    "the affected ECU software; an over-the-air update follows the update management process.",
    "communication_plan": "Internal: the incident lead informs the product owner within 4 hours. "
    "External: the OEM's PSIRT within 24 hours; suppliers concerned; the approval authority in the "
    "R155 7.4 report.",
    "responsibilities": "Incident lead: the cybersecurity manager. Analysis and fixes: the ECU's engineers. "
    "Communication: the incident lead. Approval of closure: the cybersecurity manager.",
    "recording_procedure": "Every observation, decision, communication and action goes into the incident's "
    "timeline with its time; new vulnerability information is triaged as a finding and linked.",
    "progress_method": "Remedial actions done against their due dates, reviewed daily while the incident is "
    "open; status: open, investigating, contained, remediated, closed.",
    "closure_criteria": "Every affected release is fixed or the risk is mitigated and accepted\n"
    "The people named in the communication plan were informed\n"
    "The TARA was updated with what was learnt",
    "closure_actions": "Record lessons learnt; update the TARA and the monitoring; archive the record.",
}


@transaction.atomic
def load_demo_incident(*, actor: User, project_id: int) -> Incident | None:
    """The demo plan and incident (None when the project has no finding to open it from)."""
    if settings.ENV.is_production:
        raise Invalid("demo data is refused with OPENCSMS_ENV=production")
    project = organisation_selectors.level(actor, Level.PROJECT, project_id)
    assert isinstance(project, Project)
    organisation = project.business_unit.organisation
    if selectors.plan_at(organisation, None) is None:
        services.save_plan(actor=actor, kind=Level.ORGANISATION, level_id=organisation.pk, contents=PLAN)
    existing = selectors.incidents(actor, project_id=project.pk).filter(title=TITLE).first()
    if existing is not None:
        return existing
    release = vulns_selectors.releases(actor, project_id=project.pk).filter(name="TCU firmware").first()
    finding = None if release is None else release.findings.order_by("-score", "vulnerability_id").first()
    if release is None or finding is None:
        return None
    incident = services.open_incident(
        actor=actor,
        kind=Level.PROJECT,
        level_id=project.pk,
        title=TITLE,
        severity="high",
        detected_at=timezone.now() - dt.timedelta(hours=3),
        reported_by="Vehicle SOC",
        description=f"Repeated requests probing {finding.component.name} {finding.component.version} "
        f"({finding.vulnerability_id}) from a fleet of TCUs.",
        attack_detected=True,
        attack_reports="SOC alert 2026-0042 (probing pattern, 37 vehicles)",
        release_ids=[release.pk],
        finding_ids=[finding.pk],
    )
    services.add_entry(
        actor=actor,
        incident_id=incident.pk,
        kind="observation",
        text="The probing matches the finding's vulnerable code path.",
    )
    services.add_action(
        actor=actor,
        incident_id=incident.pk,
        title=f"Fix {finding.vulnerability_id} in the TCU",
        due=timezone.now().date() + dt.timedelta(days=14),
    )
    services.record_communication(
        actor=actor,
        incident_id=incident.pk,
        recipient="OEM PSIRT",
        channel="email",
        summary="Incident reported; containment under way.",
    )
    return incident
