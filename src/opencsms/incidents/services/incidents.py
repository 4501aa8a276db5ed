"""Incidents (ISO/SAE 21434 clause 13; R155 7.2.2.2 (g), (h)): opened, changed, closed.

The rules, each refusal naming itself:
- opening and changing need EDIT on the incident's level (its project, else its organisation);
- the affected releases and linked findings are ones the actor may see, in the incident's project (or in a
  project of its organisation, for an organisation's incident);
- the detection time is not in the future; the severity and status are known values;
- a status change writes a "status change" timeline entry; reaching "contained" the first time stamps
  `contained_at`; the status "closed" is reached only by `close_incident`;
- closing needs the plan in force (the project's, else the organisation's) and every one of its closure
  criteria confirmed, and a closing note; the confirmed criteria and the plan's revision are kept;
- a closed incident is a record: it changes no more.
Every change is audited with the incident's fields before and after.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from django.db import transaction
from django.utils import timezone

from opencsms.core import audit, versions
from opencsms.core.audit import AuditAction
from opencsms.core.errors import Conflict, Invalid
from opencsms.core.models import User
from opencsms.incidents import selectors
from opencsms.incidents.models import EntryKind, Incident, Severity, Status, TimelineEntry
from opencsms.organisation import selectors as organisation_selectors
from opencsms.organisation.access import Perm, require
from opencsms.organisation.models import Level, LevelObject, Organisation, Project
from opencsms.vulns import selectors as vulns_selectors
from opencsms.vulns.models import Finding, Release

SKEW = dt.timedelta(minutes=5)
_UNSET: Any = object()


def aware(value: dt.datetime, name: str) -> dt.datetime:
    """A time as stored: one without a zone is read as UTC (the pages' inputs say UTC)."""
    if not isinstance(value, dt.datetime):
        raise Invalid(f"{name}: a date and time is needed", fields={name: "not a date and time"})
    return value if timezone.is_aware(value) else value.replace(tzinfo=dt.UTC)


def _check(incident: Incident) -> None:
    if not incident.title.strip():
        raise Invalid("title: an incident needs a title", fields={"title": "required"})
    if incident.severity not in Severity.values:
        raise Invalid(f"severity {incident.severity!r}: use one of {', '.join(Severity.values)}")
    if incident.status not in Status.values:
        raise Invalid(f"status {incident.status!r}: use one of {', '.join(Status.values)}")
    if incident.detected_at > timezone.now() + SKEW:
        raise Invalid(f"detected_at {incident.detected_at:%Y-%m-%d %H:%M} is in the future")
    if not incident.reported_by.strip():
        raise Invalid(
            "reported_by: say who or what reported the incident", fields={"reported_by": "required"}
        )


def _in_level(project_id: int, incident: Incident) -> bool:
    if incident.project_id is not None:
        return project_id == incident.project_id
    return Project.objects.filter(
        pk=project_id, business_unit__organisation=incident.organisation_id
    ).exists()


def _links(
    actor: User, incident: Incident, release_ids: Collection[int], finding_ids: Collection[int]
) -> tuple[list[Release], list[Finding]]:
    """The releases and findings named, each visible to the actor and inside the incident's level."""
    releases = list(vulns_selectors.releases(actor).filter(pk__in=release_ids))
    missing = sorted(set(release_ids) - {r.pk for r in releases})
    if missing:
        raise Invalid(f"no release {', '.join(map(str, missing))} that you may see")
    findings = [vulns_selectors.finding(actor, pk) for pk in sorted(set(finding_ids))]
    for release in releases:
        if not _in_level(release.project_id, incident):
            raise Invalid(f"release {release} is not in the incident's {_level_name(incident)}")
    for finding in findings:
        if not _in_level(finding.release.project_id, incident):
            raise Invalid(
                f"finding {finding.vulnerability_id} is not in the incident's {_level_name(incident)}"
            )
    return releases, findings


def _level_name(incident: Incident) -> str:
    return f"project {incident.project}" if incident.project_id else f"organisation {incident.organisation}"


def _entry(actor: User, incident: Incident, kind: EntryKind, text: str) -> None:
    TimelineEntry.objects.create(incident=incident, at=timezone.now(), author=actor, kind=kind, text=text)


@transaction.atomic
def open_incident(
    *,
    actor: User,
    kind: Level,
    level_id: int,
    title: str,
    detected_at: dt.datetime,
    reported_by: str,
    severity: str = Severity.MEDIUM,
    description: str = "",
    attack_detected: bool = False,
    attack_reports: str = "",
    release_ids: Collection[int] = (),
    finding_ids: Collection[int] = (),
) -> Incident:
    """Open an incident of an organisation or a project (`kind`, `level_id`)."""
    if kind not in (Level.ORGANISATION, Level.PROJECT):
        raise Invalid("an incident belongs to an organisation or a project")
    level: LevelObject = organisation_selectors.level(actor, kind, level_id)
    require(actor, Perm.EDIT, level)
    project = level if isinstance(level, Project) else None
    organisation = project.business_unit.organisation if project else level
    assert isinstance(organisation, Organisation)
    incident = Incident(
        organisation=organisation, project=project, title=title.strip(), severity=severity,
        detected_at=detected_at, reported_by=reported_by.strip(), description=description,
        attack_detected=attack_detected, attack_reports=attack_reports, created_by=actor,
    )  # fmt: skip
    incident.detected_at = aware(detected_at, "detected_at")
    _check(incident)
    releases, findings = _links(actor, incident, release_ids, finding_ids)
    incident.save()
    incident.affected_releases.set(releases)
    incident.findings.set(findings)
    _entry(actor, incident, EntryKind.STATUS_CHANGE, f"Opened ({Status.OPEN.label.lower()})")
    after = {**audit.snapshot(incident), **_link_ids(incident)}
    audit.record(
        actor=actor, action=AuditAction.INCIDENT_OPENED, obj=incident, after=after, scope=incident.scope
    )
    return incident


def _link_ids(incident: Incident) -> dict[str, list[int]]:
    return {
        "affected_releases": sorted(r.pk for r in incident.affected_releases.all()),
        "findings": sorted(f.pk for f in incident.findings.all()),
    }


def locked(actor: User, incident_id: int, perm: Perm = Perm.EDIT) -> Incident:
    """The incident, checked for `perm` and locked for the change; `Conflict` when it is closed."""
    visible = selectors.incident(actor, incident_id)
    require(actor, perm, selectors.level_of(visible))
    incident = (
        Incident.objects.select_for_update(of=("self",))
        .select_related("organisation", "project")
        .get(pk=visible.pk)
    )
    if incident.status == Status.CLOSED:
        raise Conflict(f"incident {incident.pk} is closed: a closed incident is a record and changes no more")
    return incident


FACTS = ("title", "severity", "status", "detected_at", "reported_by", "description", "attack_detected",
         "attack_reports")  # fmt: skip


@transaction.atomic
def update_incident(
    *,
    actor: User,
    incident_id: int,
    changes: dict[str, Any],
    release_ids: Collection[int] | None = None,
    finding_ids: Collection[int] | None = None,
    expected: str | None = None,
) -> Incident:
    """Change an incident's facts (`changes`: any of FACTS), status and links (None: kept as they are);
    `expected`: the version the change was made from (`Stale` when it changed since)."""
    incident = locked(actor, incident_id)
    unknown = sorted(set(changes) - set(FACTS))
    if unknown:
        raise Invalid(f"unknown incident fields: {', '.join(unknown)}")
    nulls = sorted(name for name, value in changes.items() if value is None)
    if nulls:
        raise Invalid(f"{', '.join(nulls)}: a value is needed, not null")
    if "detected_at" in changes:
        changes = {**changes, "detected_at": aware(changes["detected_at"], "detected_at")}
    stored = {name: getattr(incident, name) for name in changes}
    versions.check(incident, f"incident {incident.pk}", expected=expected, current=incident.version,
                   stored=stored, yours=changes)  # fmt: skip
    if changes.get("status") == Status.CLOSED:
        raise Invalid("close an incident with its closure: the plan's criteria confirmed and a closing note")
    before = {**audit.snapshot(incident), **_link_ids(incident)}
    old_status = incident.status
    for name, value in changes.items():
        setattr(incident, name, value.strip() if isinstance(value, str) and name != "description" else value)
    _check(incident)
    releases, findings = _links(
        actor, incident,
        [r.pk for r in incident.affected_releases.all()] if release_ids is None else release_ids,
        [f.pk for f in incident.findings.all()] if finding_ids is None else finding_ids,
    )  # fmt: skip
    if incident.status != old_status:
        _status_changed(actor, incident, old_status)
    incident.affected_releases.set(releases)
    incident.findings.set(findings)
    after = {**audit.snapshot(incident), **_link_ids(incident)}
    if after == before:
        return incident
    incident.version += 1
    incident.save()
    audit.record(actor=actor, action=AuditAction.INCIDENT_CHANGED, obj=incident, before=before, after=after,
                 scope=incident.scope)  # fmt: skip
    return incident


def _status_changed(actor: User, incident: Incident, old_status: str) -> None:
    if incident.status == Status.CONTAINED and incident.contained_at is None:
        incident.contained_at = timezone.now()
    text = f"Status {Status(old_status).label.lower()} → {Status(incident.status).label.lower()}"
    _entry(actor, incident, EntryKind.STATUS_CHANGE, text)


@transaction.atomic
def close_incident(
    *, actor: User, incident_id: int, confirmed: Collection[str], note: str, expected: str | None = None
) -> Incident:
    """Close an incident: every closure criterion of the plan in force confirmed (`confirmed`: their texts)
    and a closing note."""
    incident = locked(actor, incident_id)
    versions.check(incident, f"incident {incident.pk}", expected=expected, current=incident.version,
                   stored={"status": incident.status}, yours={"status": Status.CLOSED})  # fmt: skip
    plan = selectors.plan_in_force(incident.organisation, incident.project)
    if plan is None or not plan.criteria:
        where = _level_name(incident)
        raise Invalid(f"no incident response plan with closure criteria for {where}: write the plan first")
    missing = [criterion for criterion in plan.criteria if criterion not in set(confirmed)]
    if missing:
        raise Invalid(
            f"confirm every closure criterion of the plan (revision {plan.revision}); not confirmed: "
            + "; ".join(missing),
            fields={"confirmed": "confirm each criterion"},
        )
    if not note.strip():
        raise Invalid("a closing note is needed: what was done and why the incident is over",
                      fields={"note": "required"})  # fmt: skip
    before = audit.snapshot(incident)
    old_status = incident.status
    incident.status, incident.closed_at, incident.closing_note = Status.CLOSED, timezone.now(), note.strip()
    incident.closure_criteria, incident.plan_revision = plan.criteria, plan.revision
    _status_changed(actor, incident, old_status)
    incident.version += 1
    incident.save()
    audit.record(actor=actor, action=AuditAction.INCIDENT_CLOSED, obj=incident, before=before,
                 after=audit.snapshot(incident), scope=incident.scope)  # fmt: skip
    return incident
