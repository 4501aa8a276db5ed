"""API schemas of incident response: separate In and Out shapes."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field

from opencsms.core.schemas import Id
from opencsms.incidents.models import EntryKind, Severity, Status

TEXT = 20_000


class PlanIn(Schema):
    remedial_actions: str = Field("", max_length=TEXT)
    communication_plan: str = Field("", max_length=TEXT)
    responsibilities: str = Field("", max_length=TEXT, description="People and roles")
    recording_procedure: str = Field("", max_length=TEXT)
    progress_method: str = Field("", max_length=TEXT)
    closure_criteria: str = Field(..., max_length=TEXT, description="One criterion per line")
    closure_actions: str = Field("", max_length=TEXT)
    etag: str | None = Field(None, description="The revision the change was made from (or If-Match)")


class PlanOut(Schema):
    id: int
    organisation_id: int
    project_id: int | None
    revision: int
    remedial_actions: str
    communication_plan: str
    responsibilities: str
    recording_procedure: str
    progress_method: str
    closure_criteria: str
    criteria: list[str] = Field(description="The closure criteria, one per line of closure_criteria")
    closure_actions: str
    updated_at: dt.datetime
    etag: str = Field(description="The revision (also the ETag header): send it as If-Match")


class IncidentIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    severity: Severity = Severity.MEDIUM
    detected_at: dt.datetime
    reported_by: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=TEXT)
    attack_detected: bool = False
    attack_reports: str = Field("", max_length=TEXT, description="Text and references, one a line")
    release_ids: list[Id] = Field(default_factory=list, max_length=1000)
    finding_ids: list[Id] = Field(default_factory=list, max_length=1000)


class IncidentPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    severity: Severity | None = None
    status: Status | None = Field(None, description="Not closed: POST .../close closes an incident")
    detected_at: dt.datetime | None = None
    reported_by: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=TEXT)
    attack_detected: bool | None = None
    attack_reports: str | None = Field(None, max_length=TEXT)
    release_ids: list[Id] | None = Field(None, max_length=1000)
    finding_ids: list[Id] | None = Field(None, max_length=1000)
    etag: str | None = Field(None, description="The version the change was made from (or If-Match)")


class CloseIn(Schema):
    confirmed: list[str] = Field(
        ..., max_length=100, description="Every closure criterion of the plan in force"
    )
    note: str = Field(..., max_length=TEXT)
    etag: str | None = None


class EntryIn(Schema):
    kind: EntryKind = Field(description="Not status_change: a status change writes its own entry")
    text: str = Field(..., min_length=1, max_length=TEXT)
    at: dt.datetime | None = Field(None, description="When it happened (default: now)")


class EntryOut(Schema):
    id: int
    at: dt.datetime
    author_id: int
    kind: EntryKind
    text: str


class ActionIn(Schema):
    title: str = Field(..., min_length=1, max_length=300)
    owner_id: Id | None = None
    due: dt.date | None = None


class ActionOut(Schema):
    id: int
    title: str
    owner_id: int | None
    due: dt.date | None
    done_at: dt.datetime | None


class CommunicationIn(Schema):
    recipient: str = Field(..., min_length=1, max_length=200)
    channel: str = Field(..., min_length=1, max_length=100)
    summary: str = Field(..., min_length=1, max_length=TEXT)
    at: dt.datetime | None = Field(None, description="When (default: now)")


class CommunicationOut(Schema):
    id: int
    recipient: str
    at: dt.datetime
    channel: str
    summary: str
    recorded_by_id: int


class IncidentOut(Schema):
    id: int
    organisation_id: int
    project_id: int | None
    title: str
    severity: Severity
    status: Status
    detected_at: dt.datetime
    reported_by: str
    description: str
    attack_detected: bool
    attack_reports: str
    affected_release_ids: list[int]
    finding_ids: list[int]
    contained_at: dt.datetime | None
    closed_at: dt.datetime | None
    closing_note: str
    closure_criteria: list[str] = Field(description="The plan's criteria confirmed at closure")
    plan_revision: int | None
    created_at: dt.datetime
    etag: str = Field(description="The version (also the ETag header): send it as If-Match")

    @staticmethod
    def resolve_affected_release_ids(obj: object) -> list[int]:
        return sorted(r.pk for r in obj.affected_releases.all())  # type: ignore[attr-defined]

    @staticmethod
    def resolve_finding_ids(obj: object) -> list[int]:
        return sorted(f.pk for f in obj.findings.all())  # type: ignore[attr-defined]


class IncidentDetailOut(IncidentOut):
    timeline: list[EntryOut]
    actions: list[ActionOut]
    communications: list[CommunicationOut]

    @staticmethod
    def resolve_timeline(obj: object) -> list[object]:
        return list(obj.timeline.all())  # type: ignore[attr-defined]

    @staticmethod
    def resolve_actions(obj: object) -> list[object]:
        return list(obj.actions.all())  # type: ignore[attr-defined]

    @staticmethod
    def resolve_communications(obj: object) -> list[object]:
        return list(obj.communications.all())  # type: ignore[attr-defined]
