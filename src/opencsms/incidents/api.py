"""The incident response API: plans of organisations and projects, incidents with their timeline,
remedial actions and communications, closure, and the monitoring report's data (R155 7.4). Every endpoint
is one selector or service call."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from opencsms.core.access import lists, needs
from opencsms.core.http import actor, attachment, download, expected_version, with_etag
from opencsms.core.schemas import IF_MATCH, ConflictOut, Id
from opencsms.incidents import selectors, services
from opencsms.incidents.models import Communication, Incident, RemedialAction, ResponsePlan, TimelineEntry
from opencsms.incidents.schemas import (
    ActionIn,
    ActionOut,
    CloseIn,
    CommunicationIn,
    CommunicationOut,
    EntryIn,
    EntryOut,
    IncidentDetailOut,
    IncidentIn,
    IncidentOut,
    IncidentPatch,
    PlanIn,
    PlanOut,
)
from opencsms.organisation.access import Perm
from opencsms.organisation.models import Level

router = Router(tags=["incidents"])


def _plan(request: HttpRequest, kind: Level, level_id: int, response: HttpResponse) -> ResponsePlan | None:
    page = selectors.plan_page(actor(request), kind, level_id)
    if page.plan is not None:
        with_etag(response, page.plan.etag)
    return page.plan


def _save_plan(
    request: HttpRequest, kind: Level, level_id: int, payload: PlanIn, response: HttpResponse
) -> ResponsePlan:
    plan = services.save_plan(
        actor=actor(request), kind=kind, level_id=level_id, contents=payload.dict(exclude={"etag"}),
        expected=expected_version(request, payload.etag),
    )  # fmt: skip
    with_etag(response, plan.etag)
    return plan


@router.get("/organisations/{organisation_id}/incident-plan", response={200: PlanOut | None})
@needs(Perm.VIEW, on="organisation")
def get_organisation_plan(request: HttpRequest, organisation_id: Id, response: HttpResponse) -> Any:
    """The organisation's plan (null when it has none yet)."""
    return _plan(request, Level.ORGANISATION, organisation_id, response)


@router.put("/organisations/{organisation_id}/incident-plan", response={200: PlanOut, 409: ConflictOut},
            openapi_extra=IF_MATCH)  # fmt: skip
@needs(Perm.EDIT, on="organisation")
def save_organisation_plan(
    request: HttpRequest, organisation_id: Id, payload: PlanIn, response: HttpResponse
) -> Any:
    return _save_plan(request, Level.ORGANISATION, organisation_id, payload, response)


@router.get("/projects/{project_id}/incident-plan", response={200: PlanOut | None})
@needs(Perm.VIEW, on="project")
def get_project_plan(request: HttpRequest, project_id: Id, response: HttpResponse) -> Any:
    """The project's own plan (null when it follows its organisation's)."""
    return _plan(request, Level.PROJECT, project_id, response)


@router.put(
    "/projects/{project_id}/incident-plan", response={200: PlanOut, 409: ConflictOut}, openapi_extra=IF_MATCH
)
@needs(Perm.EDIT, on="project")
def save_project_plan(request: HttpRequest, project_id: Id, payload: PlanIn, response: HttpResponse) -> Any:
    return _save_plan(request, Level.PROJECT, project_id, payload, response)


@router.get("/incidents", response=list[IncidentOut])
@lists(Perm.VIEW, on="incident")
def list_incidents(
    request: HttpRequest,
    organisation_id: Id | None = None,
    project_id: Id | None = None,
    status: str | None = None,
) -> QuerySet[Incident]:
    return selectors.incidents(
        actor(request), organisation_id=organisation_id, project_id=project_id, status=status
    )


def _open(request: HttpRequest, kind: Level, level_id: int, payload: IncidentIn) -> Status[Incident]:
    data = payload.dict()
    return Status(201, services.open_incident(actor=actor(request), kind=kind, level_id=level_id, **data))


@router.post("/organisations/{organisation_id}/incidents", response={201: IncidentOut})
@needs(Perm.EDIT, on="organisation")
def open_organisation_incident(
    request: HttpRequest, organisation_id: Id, payload: IncidentIn
) -> Status[Incident]:
    return _open(request, Level.ORGANISATION, organisation_id, payload)


@router.post("/projects/{project_id}/incidents", response={201: IncidentOut})
@needs(Perm.EDIT, on="project")
def open_project_incident(request: HttpRequest, project_id: Id, payload: IncidentIn) -> Status[Incident]:
    return _open(request, Level.PROJECT, project_id, payload)


@router.get("/incidents/{incident_id}", response=IncidentDetailOut)
@needs(Perm.VIEW, on="incident")
def get_incident(request: HttpRequest, incident_id: Id, response: HttpResponse) -> Incident:
    found = selectors.incident(actor(request), incident_id)
    with_etag(response, found.etag)
    return found


@router.patch(
    "/incidents/{incident_id}", response={200: IncidentOut, 409: ConflictOut}, openapi_extra=IF_MATCH
)
@needs(Perm.EDIT, on="incident")
def update_incident(
    request: HttpRequest, incident_id: Id, payload: IncidentPatch, response: HttpResponse
) -> Incident:
    data = payload.dict(exclude_unset=True, exclude={"etag"})
    releases, findings = data.pop("release_ids", None), data.pop("finding_ids", None)
    incident = services.update_incident(
        actor=actor(request),
        incident_id=incident_id,
        changes=data,
        release_ids=releases,
        finding_ids=findings,
        expected=expected_version(request, payload.etag),
    )
    with_etag(response, incident.etag)
    return incident


@router.post("/incidents/{incident_id}/close", response={200: IncidentOut, 409: ConflictOut})
@needs(Perm.EDIT, on="incident")
def close_incident(request: HttpRequest, incident_id: Id, payload: CloseIn) -> Incident:
    """Close: every closure criterion of the plan in force confirmed (`confirmed`) and a closing note."""
    return services.close_incident(
        actor=actor(request), incident_id=incident_id, confirmed=payload.confirmed, note=payload.note,
        expected=expected_version(request, payload.etag),
    )  # fmt: skip


@router.post("/incidents/{incident_id}/timeline", response={201: EntryOut})
@needs(Perm.EDIT, on="incident")
def add_entry(request: HttpRequest, incident_id: Id, payload: EntryIn) -> Status[TimelineEntry]:
    entry = services.add_entry(actor=actor(request), incident_id=incident_id, **payload.dict())
    return Status(201, entry)


@router.post("/incidents/{incident_id}/actions", response={201: ActionOut})
@needs(Perm.EDIT, on="incident")
def add_action(request: HttpRequest, incident_id: Id, payload: ActionIn) -> Status[RemedialAction]:
    return Status(201, services.add_action(actor=actor(request), incident_id=incident_id, **payload.dict()))


@router.post("/incidents/{incident_id}/actions/{action_id}/done", response=ActionOut)
@needs(Perm.EDIT, on="incident")
def complete_action(request: HttpRequest, incident_id: Id, action_id: Id) -> RemedialAction:
    return services.complete_action(actor=actor(request), incident_id=incident_id, action_id=action_id)


@router.post("/incidents/{incident_id}/communications", response={201: CommunicationOut})
@needs(Perm.EDIT, on="incident")
def record_communication(
    request: HttpRequest, incident_id: Id, payload: CommunicationIn
) -> Status[Communication]:
    record = services.record_communication(actor=actor(request), incident_id=incident_id, **payload.dict())
    return Status(201, record)


@router.get("/organisations/{organisation_id}/monitoring-report", response={200: dict[str, Any]},
            openapi_extra=download(*selectors.REPORT_MEDIA_TYPES.values()))  # fmt: skip
@needs(Perm.VIEW, on="organisation")
def monitoring_report(
    request: HttpRequest,
    organisation_id: Id,
    since: dt.date,
    until: dt.date,
    format: Literal["json", "csv", "xlsx"] = "json",  # noqa: A002
) -> HttpResponse:
    """The data of the annual monitoring report (R155 7.4) for the days `since` to `until` (UTC), as JSON
    (figures and incidents), CSV (the figures) or XLSX (both); docs/incidents.md says what each answers."""
    found = selectors.report_file(
        selectors.monitoring_report(actor(request), organisation_id, since, until), format
    )
    return attachment(found.content, found.filename, found.media_type)
