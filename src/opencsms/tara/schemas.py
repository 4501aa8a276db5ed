"""API schemas of the TARA app: separate In and Out shapes."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from ninja import Schema
from pydantic import Field

from opencsms.engine.tara.coverage import Annex5Coverage
from opencsms.engine.tara_as_code.trees import GATES
from opencsms.engine.threatgen import GenerationPlan
from opencsms.tara.models import ImportJob, ImportStatus, Kind, State
from opencsms.tara.selectors import ANNEX5_STATES, MAX_K, SORTS, ElementFilter
from opencsms.tara.services.bulk import MAX_BULK
from opencsms.tara.services.generation import DECISIONS
from opencsms.tara.services.trees import TreeOp

if TYPE_CHECKING:
    Decision = str
    Gate = str
else:
    Gate = Literal[GATES]
    Decision = Literal[tuple(d.value for d in DECISIONS)]  # the service's list, in its order


class TaraOut(Schema):
    id: int
    project_id: int
    ref: str
    name: str
    state: State
    revision: int
    content_sha256: str
    summary: dict[str, Any]
    updated_at: datetime


class RuleFindingOut(Schema):
    rule: str
    severity: str
    element: str
    message: str
    cites: str


class TaraDetailOut(TaraOut):
    header: dict[str, Any]
    etag: str = Field(description="The header's version (also the ETag header): send it as If-Match")
    submitted_by_id: int | None
    submitted_at: datetime | None
    review_note: str = Field(description="The submitter's note for the reviewer (in review)")
    returned_by_id: int | None
    returned_at: datetime | None
    return_reason: str = Field(description="What the reviewer asked to change when it was last returned")


class HeaderIn(Schema):
    changes: dict[str, Any] = Field(description="name, version, method or item -> new value (null removes)")
    etag: str | None = Field(None, description="The version changed (else If-Match); a stale one: 409")


class ElementOut(Schema):
    kind: Kind
    ref: str
    position: int
    label: str
    data: dict[str, Any]
    risk: int | None
    residual_risk: int | None
    feasibility: str
    impact: str
    cal: int | None
    status: str
    etag: str = Field(description="The entry's version (also the ETag header): send it as If-Match")


class ElementQuery(Schema):
    q: str = Field("", description="Text in the id or name")
    status: str = Field("", description="Threat status or treatment, e.g. reduce, untreated, proposed")
    risk_min: int | None = Field(None, ge=1, le=5)
    asset: str = Field("", description="Threat scenarios of this asset")
    sort: str = Field("position", description=f"One of {', '.join(SORTS)}")

    def to_filter(self) -> ElementFilter:
        return ElementFilter(self.q, self.status, self.risk_min, self.asset, self.sort)


class ElementIn(Schema):
    data: dict[str, Any] = Field(description="The entry in the TARA-as-code shape, with its id")


class ElementChangesIn(Schema):
    changes: dict[str, Any] = Field(description="field -> new value; null removes the field")
    etag: str | None = Field(None, description="The version changed (else If-Match); a stale one: 409")


class TreeEditIn(Schema):
    path: str = Field(description="The attack path's id")
    op: TreeOp
    at: str = Field("", description="The node's address: '' the root, '0.2' the first child's third child")
    node: dict[str, Any] | None = Field(None, description="add: the new node")
    to: str | None = Field(None, description="move: the address of the new parent gate")
    index: int | None = Field(None, ge=0, description="add, move: the place among the children")
    gate: Gate | None = Field(None, description="set_gate: the gate kind")
    changes: dict[str, Any] | None = Field(None, description="update: field -> value, null removes")
    etag: str | None = Field(None, description="The threat scenario's version (else If-Match); stale: 409")


class NoteIn(Schema):
    note: str = ""


class ReasonIn(Schema):
    reason: str


class ApproveIn(Schema):
    content_sha256: str = Field(description="The hash of the content you reviewed (from the TARA)")
    note: str = Field("", max_length=2000)
    acknowledged: bool = Field(False, description="You approve knowing the open items (see the checklist)")
    rationale: str = Field("", max_length=2000, description="Why: required to approve with open items")


class CommentIn(Schema):
    text: str = Field(min_length=1, max_length=5000)
    kind: str = Field("", description="The element's list (e.g. threat_scenarios); blank: the TARA")
    ref: str = Field("", description="The element's id; blank: the TARA")


class CommentOut(Schema):
    id: int
    kind: str
    ref: str
    author_id: int
    author: str = Field(description="The author's user name")
    text: str
    revision: int
    created_at: datetime

    @staticmethod
    def resolve_author(comment: Any) -> str:
        return str(comment.author.get_username())


class OpenItemOut(Schema):
    key: str
    label: str
    count: int


class ChecklistOut(Schema):
    items: list[OpenItemOut]
    open: int = Field(description="How many items are open: approving then needs an acknowledgement")


class BaselineIn(Schema):
    name: str = Field(max_length=100)


class BaselineOut(Schema):
    id: int
    name: str
    revision: int
    content_sha256: str
    created_by_id: int
    created_at: datetime
    approved_by_id: int | None
    approved_at: datetime | None
    approval_note: str
    open_items: dict[str, int] = Field(description="What was open when it was approved: item -> count")
    acknowledgement: str = Field(description="The approver's rationale for approving with open items")


def job_url(job: ImportJob) -> str:
    """Where the job's status is read (GET)."""
    return f"/api/v1/tara-imports/{job.pk}"


class ImportJobOut(Schema):
    """A background import: `heartbeat_at` is refreshed while the worker runs it; `attempts` counts runs
    started (a run whose worker was lost is queued once more, then failed)."""

    id: int
    url: str
    project_id: int
    filename: str
    size: int
    replace: bool
    status: ImportStatus
    error: str
    tara_id: int | None
    attempts: int
    created_at: datetime
    started_at: datetime | None
    heartbeat_at: datetime | None
    finished_at: datetime | None

    @staticmethod
    def resolve_url(job: ImportJob) -> str:
        return job_url(job)


class GenerationOut(Schema):
    """What generation did (POST) or would do (GET): ids of threat scenarios proposed, marked obsolete
    (their rule no longer matches the architecture) and revived (matching again)."""

    added: list[str]
    obsolete: list[str]
    revived: list[str]

    @staticmethod
    def of(plan: GenerationPlan) -> GenerationOut:
        return GenerationOut(
            added=[p.id for p in plan.add], obsolete=list(plan.obsolete), revived=list(plan.revive)
        )


class DecisionIn(Schema):
    refs: list[str] = Field(min_length=1, max_length=500, description="threat scenario ids")
    status: Decision
    rationale: str = Field("", max_length=2000, description="required to reject")


class BulkIn(Schema):
    refs: list[str] = Field(min_length=1, max_length=MAX_BULK, description="the elements' ids")
    changes: dict[str, str] = Field(
        description="the fields to set on each, e.g. threat scenarios: status (proposed, accepted, "
        "rejected), decision (avoid, reduce, share, retain, or untreated: none), rationale"
    )


class RankedPathOut(Schema):
    rank: int
    entry: str
    entry_name: str
    vector: str
    route: str
    steps: list[str]
    potential: int
    potential_rating: str
    feasibility: str
    residual_potential: int
    residual_feasibility: str


class AssetPathsOut(Schema):
    asset: str
    component: str
    threats: list[str]
    paths: list[RankedPathOut]


class PathsQuery(Schema):
    asset: str | None = Field(None, description="one asset id; every asset on a component when omitted")
    k: int = Field(1, ge=1, le=MAX_K, description="how many of the best paths per asset")
    residual: bool = Field(False, description="rank the paths with the controls on the way")


class AttachPathsIn(Schema):
    k: int = Field(1, ge=1, le=MAX_K)


class AttachPathsOut(Schema):
    added: list[str]
    threat: ElementOut


class ThreatCoverageOut(Schema):
    id: str
    category: str
    summary: str
    required: bool
    status: str
    threats: list[str]
    rationale: str


class MitigationCoverageOut(Schema):
    id: str
    summary: str
    status: str
    controls: list[str]
    rationale: str


class CoverageOut(Schema):
    required: int
    counts: dict[str, int]
    threats: list[ThreatCoverageOut]
    mitigations: list[MitigationCoverageOut]

    @staticmethod
    def of(coverage: Annex5Coverage) -> CoverageOut:
        return CoverageOut(
            required=coverage.required,
            counts={state: coverage.count(state) for state in ANNEX5_STATES},
            threats=[ThreatCoverageOut(**asdict(t)) for t in coverage.threats],
            mitigations=[MitigationCoverageOut(**asdict(m)) for m in coverage.mitigations],
        )


class RuleFileOut(Schema):
    id: int
    organisation_id: int
    urn: str
    name: str
    version: str
    filename: str
    sha256: str
    rules: int
    uploaded_by_id: int
    uploaded_at: datetime


class RuleFileDetailOut(RuleFileOut):
    content: str


class RelatedOut(Schema):
    """An element on the other end of references, with the fields they are made in."""

    kind: Kind
    ref: str
    name: str
    fields: list[str]


class ReferencesOut(Schema):
    kind: Kind
    ref: str
    refers_to: list[RelatedOut] = Field(description="The elements it names")
    used_by: list[RelatedOut] = Field(description="The elements naming it (a delete is refused while any do)")


class TraceCellOut(Schema):
    kind: Kind
    ref: str
    name: str


class TraceRowOut(Schema):
    cells: list[TraceCellOut | None] = Field(description="One per column; null where the chain stops")
    gap: str | None = Field(description="What the row lacks, if it is a gap")


class TraceGapOut(Schema):
    kind: Kind
    ref: str
    missing: str = Field(description="The column whose link is missing")
    message: str


class TraceabilityOut(Schema):
    tara: str
    columns: list[str]
    rows: list[TraceRowOut]
    gaps: list[TraceGapOut]
