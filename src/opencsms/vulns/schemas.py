"""API schemas of vulnerability monitoring: separate In and Out shapes, and the findings filter."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Literal

from ninja import Schema
from pydantic import Field

from opencsms.core.schemas import Id
from opencsms.vulns.models import Decision, LoopMode, SourceKind, Stage, VexStatus
from opencsms.vulns.selectors import FINDING_SORTS, SEVERITIES, FindingFilter
from opencsms.vulns.services.bulk import MAX_BULK


class ReleaseOut(Schema):
    id: int
    project_id: int
    name: str
    version: str
    component_ref: str
    tara_id: int | None
    sbom_filename: str
    sbom_sha256: str
    sbom_format: str
    problems: list[str] = Field(description="What the SBOM gave that could not be used (bad purls, CPEs...)")
    created_at: dt.datetime
    finding_count: int = 0
    open_count: int = 0


class RevisionChanges(Schema):
    components: dict[str, int] = Field(description="added, removed, changed (a version change), kept")
    findings: dict[str, int] = Field(
        default_factory=dict, description="carried over, closed (their component left), new"
    )
    changes: list[str] = Field(default_factory=list, description="The version changes, as `name old -> new`")


class SbomRevisionOut(Schema):
    """One SBOM a release had: revision 1 is the SBOM it was created from, each replacement the next."""

    number: int
    filename: str
    sha256: str
    format: str
    uploaded_by: str
    uploaded_at: dt.datetime
    summary: RevisionChanges

    @staticmethod
    def resolve_uploaded_by(obj: Any) -> str:
        return str(obj.uploaded_by)


class VexFindingOut(Schema):
    finding: int
    release: str
    component: str


class VexConflictOut(VexFindingOut):
    vex_status: str = Field(description="The person's conclusion, kept")
    decision: str
    by: str
    at: str


class VexStatementOut(Schema):
    statement: int = Field(description="Its place in the document, from 1")
    vulnerability: str
    status: str
    products: list[str] = Field(description="The first five products it names")
    outcome: Literal["applied", "unchanged", "conflict", "no_matching_finding"]
    applied: list[VexFindingOut]
    unchanged: list[VexFindingOut]
    conflicts: list[VexConflictOut] = Field(description="Findings a person concluded after the document")


class VexImportOut(Schema):
    """A VEX document imported as triage: its hash and, per statement, what it did."""

    id: int
    organisation_id: int
    release_id: int | None
    filename: str
    sha256: str
    kind: str
    issued: str
    imported_at: dt.datetime
    counts: dict[str, int]
    report: list[VexStatementOut]


class ReleaseIn(Schema):
    name: str
    version: str
    component_ref: str = Field("", description="The id of the TARA component this software runs on")
    tara_id: Id | None = Field(None, description="The project's TARA (default: its first, with a component)")


class ComponentOut(Schema):
    id: int
    ref: str
    name: str
    version: str
    purl: str
    cpe: str


class FindingOut(Schema):
    id: int
    release_id: int
    component: ComponentOut
    vulnerability_id: str
    aliases: list[str]
    summary: str
    severity: str
    score: float | None
    vectors: list[str]
    evidence: list[dict[str, Any]]
    remediations: list[str]
    kev: bool
    epss: float | None
    stage: Stage
    vex_status: VexStatus
    justification: str
    decision: str
    rationale: str
    owner_id: int | None
    due_date: dt.date | None
    accepted_until: dt.date | None = Field(description="The last day an accepted risk stands")
    acceptance_expired: bool = Field(description="Accepted, and its last day has passed: it reopens")
    updated_at: dt.datetime
    etag: str = Field(description="The triage's version (also the ETag header): send it as If-Match")


if TYPE_CHECKING:  # mypy reads no Literal built from values kept elsewhere: it checks these as str
    StatusFilter = str
    StageFilter = str
    FindingSort = str
else:  # the enums' values and the selector's sort keys ("" = any), listed in the schema and checked
    StatusFilter = Literal[("", *VexStatus.values)]
    StageFilter = Literal[("", *Stage.values)]
    FindingSort = Literal[tuple(FINDING_SORTS)]


class FindingQuery(Schema):
    severity: str = Field("", description=f"{', '.join(SEVERITIES[:-1])} or {SEVERITIES[-1]}")
    status: StatusFilter = Field("", description="The VEX status")
    stage: StageFilter = ""
    kev: bool | None = Field(None, description="Only findings in (true) or not in (false) CISA KEV")
    q: str = Field("", description="Text in the vulnerability id, its aliases or the component name")
    sort: FindingSort = Field("-score", description="The order (worst first by default)")
    overdue: bool = Field(False, description="Only open findings past their due date")

    def to_filter(self) -> FindingFilter:
        f = self
        return FindingFilter(f.severity, f.status, f.stage, f.kev, f.q, f.sort, f.overdue)


class TriageIn(Schema):
    """Only the fields sent change (null clears owner, due date, justification, decision, expiry);
    `decision` accept needs `accepted_until`, the last day the acceptance stands."""

    stage: Stage | None = None
    vex_status: VexStatus | None = None
    justification: str | None = None
    decision: Decision | None = None
    rationale: str | None = None
    owner_id: Id | None = None
    due_date: dt.date | None = None
    accepted_until: dt.date | None = None
    etag: str | None = Field(None, description="The version changed (else If-Match); a stale one: 409")


class BulkTriageIn(Schema):
    """The findings of the release to triage: `ids`, or `all_matching` the list's `filters`; and the
    triage fields to set on each (those of a finding's triage; all or nothing)."""

    ids: list[Id] = Field([], max_length=MAX_BULK, description="the ticked findings (without all_matching)")
    all_matching: bool = Field(False, description="every finding of the release matching `filters`")
    filters: FindingQuery | None = Field(None, description="the list's filter (with all_matching)")
    changes: TriageIn = Field(description="the fields to set on each (etag is not used here)")
    expected: dict[Id, str] = Field(
        {},
        max_length=MAX_BULK,
        description="the version (etag) of each finding as you saw it, by id: when one of the chosen "
        "findings changed since, the whole request is refused (409 naming each, who saved it and when) "
        "and nothing is saved; a finding left out is not checked",
    )

    def changed_fields(self) -> dict[str, Any]:
        return self.changes.dict(exclude_unset=True, exclude={"etag"})


class PortfolioBulkTriageIn(BulkTriageIn):
    """The portfolio's findings to triage (of every release the caller may see): `ids`, or `all_matching`
    the `filters` (of `organisation_id` when given); every chosen finding's project must be editable."""

    organisation_id: Id | None = Field(
        None, description="only this organisation's findings (with all_matching)"
    )


class BulkTriageOut(Schema):
    count: int = Field(description="findings chosen (those already as asked are left unwritten)")
    ids: list[int]


class AdvisoryRecordOut(Schema):
    origin: str = Field(description="The source, and the document holding it (CSAF)")
    source: str
    modified: str
    withdrawn: str
    severities: list[dict[str, Any]] = Field(description="kind, vector, score, rating and source of each")
    affected: list[dict[str, Any]] = Field(description="The packages or CPEs and their ranges and versions")
    remediations: list[str]


class AdvisoryFindingOut(Schema):
    id: int
    vulnerability_id: str
    release_id: int
    project_id: int = Field(alias="release.project_id")
    component: str = Field(alias="component.name")
    vex_status: VexStatus


class AdvisoryDetailOut(Schema):
    advisory_id: str
    aliases: list[str]
    summary: str
    records: list[AdvisoryRecordOut]
    finding_count: int
    findings: list[AdvisoryFindingOut] = Field(description="The first 500, in the releases you may see")


class ImportOut(Schema):
    new: int
    changed: int
    unchanged: int
    skipped: int
    findings: int
    closed: int = Field(description="Findings closed because every advisory behind them was withdrawn")
    no_longer_matched: int = Field(
        0,
        description="Findings closed because the new revision of their advisory no longer covers the version",
    )


class ExploitationIn(Schema):
    kind: Literal["kev", "epss"] = Field(description="CISA KEV (JSON or CSV) or FIRST EPSS (CSV)")


class ExploitationOut(Schema):
    kind: str
    entries: int = Field(description="The entries now stored for the organisation")
    findings: int = Field(description="The findings whose KEV flag or EPSS changed")


class SourceIn(Schema):
    name: str = Field(max_length=200)
    kind: SourceKind
    location: str = Field(
        max_length=1000, description="A folder or zip path on the server (osv_path), else an http(s) URL"
    )
    ecosystems: list[str] = Field(
        default_factory=list,
        description="osv_url only: the OSV ecosystems read under it (<location>/<Ecosystem>/all.zip)",
    )


class SourceOut(Schema):
    id: int
    organisation_id: int
    name: str
    kind: SourceKind
    location: str
    last_synced_at: dt.datetime | None
    last_result: dict[str, Any]
    task_id: str
    sync_status: str = Field(description="'' (never), queued, running, done or failed")
    sync_error: str
    sync_heartbeat_at: dt.datetime | None
    ecosystems: list[str]
    cursor: dict[str, str] = Field(description="Where the next incremental sync starts, per feed")
    every: int | None = Field(description="Seconds between scheduled syncs (null: no schedule)")
    next_run_at: dt.datetime | None = Field(description="When the scheduler syncs it next")
    last_success_at: dt.datetime | None
    failures: int = Field(description="Syncs failed in a row; each retry waits twice as long (capped)")


class ScheduleIn(Schema):
    every: int | None = Field(
        description="Seconds between scheduled syncs, 300 (5 minutes) to 2592000 (30 days); null: no schedule"
    )


class StepOut(Schema):
    address: str
    name: str
    interface: str
    cvss: str


class PathOut(Schema):
    id: str
    name: str
    steps: list[StepOut]


class ThreatOut(Schema):
    ref: str
    name: str
    risk: int | None
    on_asset: bool
    paths: list[PathOut]


class LinkIn(Schema):
    threat: str = Field(description="The threat scenario's id")
    path: str = Field(description="The attack path's id")
    address: str = Field("", description="The step's address in the tree ('' the root, '0.1' ...)")


class LinkOut(Schema):
    threat: str
    risk: int | None
    feasibility: str


class LoopRuleIn(Schema):
    mode: LoopMode = Field(
        description="off | propose | automatic: what a new finding does to the attack steps"
    )


class LoopRuleOut(Schema):
    organisation_id: int
    mode: str


class StepLinkOut(Schema):
    """A finding rating (or proposed to rate) one attack step of a TARA."""

    id: int
    finding_id: int
    tara_id: int
    threat: str = Field(alias="threat_ref")
    path: str = Field(alias="path_ref")
    address: str
    cvss: str = Field(description="The finding's CVSS v3 AV/AC/PR/UI the step takes")
    previous_cvss: str = Field(description="The step's CVSS before any finding rated it")
    status: str = Field(description="proposed | applied | rejected | reversed")
    automatic: bool
    risk_before: int | None
    risk_after: int | None
    note: str
    updated_at: dt.datetime


class RejectIn(Schema):
    reason: str = Field("", max_length=500)


class NotificationOut(Schema):
    id: int
    project_id: int
    release_id: int | None
    finding_id: int | None
    tara_id: int | None
    message: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class ReadIn(Schema):
    ids: list[Id] | None = Field(
        None, description="The notifications to mark read (all unread ones if left out)"
    )


class ReadOut(Schema):
    read: int
