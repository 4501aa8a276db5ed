"""Reads of incidents and response plans, scoped to what the user may see.

An incident of a project is seen by whoever may view the project; an incident of the organisation itself
by whoever may view the organisation (a project member does not see it). Out of scope: `NotFound` (404).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from opencsms.core.errors import Invalid, NotFound
from opencsms.core.models import User
from opencsms.incidents.models import Incident, RemedialAction, ResponsePlan, Severity
from opencsms.organisation import selectors as organisation_selectors
from opencsms.organisation.access import Perm, holders, permissions, require
from opencsms.organisation.models import Level, LevelObject, Organisation, Project
from opencsms.vulns import selectors as vulns_selectors
from opencsms.vulns.models import Release


def _visible(user: User) -> Q:
    projects = organisation_selectors.projects(user).values("pk")
    organisations = organisation_selectors.organisations(user).values("pk")
    return Q(project__in=projects) | Q(project__isnull=True, organisation__in=organisations)


def incidents(
    user: User,
    *,
    organisation_id: int | None = None,
    project_id: int | None = None,
    status: str | None = None,
) -> QuerySet[Incident]:
    """The incidents the user may see, newest detection first, optionally of one organisation, one project
    or in one status."""
    found = (
        Incident.objects.filter(_visible(user))
        .select_related("organisation", "project")
        .prefetch_related("affected_releases", "findings")
    )
    if organisation_id is not None:
        found = found.filter(organisation_id=organisation_id)
    if project_id is not None:
        found = found.filter(project_id=project_id)
    if status:
        found = found.filter(status=status)
    return found


def incident(user: User, incident_id: int) -> Incident:
    found = (
        incidents(user)
        .filter(pk=incident_id)
        .prefetch_related(
            "affected_releases__project",
            "findings__release",
            "findings__component",
            "timeline__author",
            "actions__owner",
            "communications",
        )
        .first()
    )
    if found is None:
        raise NotFound(f"no incident {incident_id}")
    return found


def action(user: User, incident_id: int, action_id: int) -> RemedialAction:
    found = RemedialAction.objects.filter(pk=action_id, incident=incident(user, incident_id)).first()
    if found is None:
        raise NotFound(f"no remedial action {action_id} in incident {incident_id}")
    return found


def level_of(obj: Incident | ResponsePlan) -> LevelObject:
    """The level whose permissions govern an incident or a plan: its project, else its organisation."""
    return obj.project if obj.project is not None else obj.organisation


def plan_at(organisation: Organisation, project: Project | None) -> ResponsePlan | None:
    """The plan stored at exactly this level (a project's own, or the organisation's)."""
    return ResponsePlan.objects.filter(organisation=organisation, project=project).first()


def plan_in_force(organisation: Organisation, project: Project | None) -> ResponsePlan | None:
    """The plan an incident follows: its project's when the project has one, else its organisation's."""
    own = plan_at(organisation, project) if project is not None else None
    return own or plan_at(organisation, None)


def organisation_of(level: LevelObject) -> Organisation:
    if isinstance(level, Project):
        return level.business_unit.organisation
    assert isinstance(level, Organisation)
    return level


@dataclass(frozen=True)
class PlanPage:
    level: LevelObject
    plan: ResponsePlan | None  # stored at this level
    inherited: ResponsePlan | None  # the organisation's, shown on a project without its own plan
    can_edit: bool


def plan_page(user: User, kind: Level, level_id: int) -> PlanPage:
    """The plan of an organisation or a project as its page shows it (`NotFound` when not visible)."""
    level = organisation_selectors.level(user, kind, level_id)
    organisation = organisation_of(level)
    project = level if isinstance(level, Project) else None
    own = plan_at(organisation, project)
    inherited = plan_at(organisation, None) if project is not None and own is None else None
    return PlanPage(level, own, inherited, Perm.EDIT in permissions(user, level))


@dataclass(frozen=True)
class IncidentPage:
    incident: Incident
    plan: ResponsePlan | None
    can_edit: bool
    owners: list[tuple[int, str]]
    releases: list[Release]  # the choices of the affected releases
    release_ids: list[int]  # those chosen


def release_choices(user: User, level: LevelObject) -> list[Release]:
    """The releases an incident at `level` may name: its project's, or those of the organisation's
    projects the user may see."""
    found = vulns_selectors.releases(user).select_related("project")
    if isinstance(level, Project):
        return list(found.filter(project=level))
    return list(found.filter(project__business_unit__organisation_id=level.pk))


def incident_page(user: User, incident_id: int) -> IncidentPage:
    found = incident(user, incident_id)
    level = level_of(found)
    can_edit = Perm.EDIT in permissions(user, level)
    owners = [(u.pk, u.get_username()) for u in holders(Perm.EDIT, level).order_by("username")]
    return IncidentPage(
        found,
        plan_in_force(found.organisation, found.project),
        can_edit,
        owners if can_edit else [],
        release_choices(user, level) if can_edit else [],
        [r.pk for r in found.affected_releases.all()],
    )


_SEVERITY = {"CRITICAL": Severity.CRITICAL, "HIGH": Severity.HIGH, "MEDIUM": Severity.MEDIUM}


def draft_from_finding(user: User, finding_id: int) -> dict[str, Any]:
    """The new-incident form's values taken from a finding (its project, title, severity, description,
    release and the finding itself)."""
    finding = vulns_selectors.finding(user, finding_id)
    release = finding.release
    return {
        "title": f"{finding.vulnerability_id} in {release.name} {release.version}",
        "severity": _SEVERITY.get(finding.severity.upper(), Severity.LOW),
        "description": finding.summary,
        "detected_at": timezone.now().replace(second=0, microsecond=0),
        "releases": [release.pk],
        "findings": [finding.pk],
        "finding": finding,
    }


def finding_incidents(user: User, finding_id: int) -> tuple[Any, list[Incident], bool]:
    """A finding, the incidents that link it and whether the user may open one from it (the finding page's
    incident panel)."""
    finding = vulns_selectors.finding(user, finding_id)
    linked = list(incidents(user).filter(findings=finding))
    return finding, linked, Perm.EDIT in permissions(user, finding.release.project)


@dataclass(frozen=True)
class NewIncidentPage:
    level: LevelObject
    draft: dict[str, Any]
    releases: list[Release]


def new_incident_page(user: User, kind: Level, level_id: int, finding_id: str | None) -> NewIncidentPage:
    """The new-incident form of an organisation or project (EDIT needed), prefilled from a finding of the
    project when `finding_id` names one."""
    level = organisation_selectors.level(user, kind, level_id)
    require(user, Perm.EDIT, level)
    draft: dict[str, Any] = {
        "severity": Severity.MEDIUM, "detected_at": timezone.now().replace(second=0, microsecond=0),
        "releases": [], "findings": [], "reported_by": user.get_username(),
    }  # fmt: skip
    if finding_id:
        if not finding_id.isdigit() or len(finding_id) > 18:
            raise Invalid(f"finding {finding_id!r}: an id is a number")
        draft.update(draft_from_finding(user, int(finding_id)))
        if draft["finding"].release.project_id != level.pk or not isinstance(level, Project):
            raise Invalid(f"finding {finding_id} is not in project {level}")
    return NewIncidentPage(level, draft, release_choices(user, level))
