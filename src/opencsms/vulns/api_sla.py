"""The API of remediation service levels (SLA): an organisation's policy (read; set by its
administrators, versioned) and its overdue findings. Every endpoint is one selector or service call."""

import datetime as dt
from typing import TYPE_CHECKING, Literal

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from opencsms.core.access import needs
from opencsms.core.http import actor, expected_version, with_etag
from opencsms.core.schemas import IF_MATCH, ConflictOut, Id, Pages
from opencsms.engine.catalogue.sla import MAX_DAYS
from opencsms.organisation.access import Perm
from opencsms.vulns import selectors, services
from opencsms.vulns.models import Finding
from opencsms.vulns.selectors.overdue import OVERDUE_SORTS

router = Router(tags=["vulns"])

if TYPE_CHECKING:  # mypy reads no Literal built from values kept elsewhere: it checks this as str
    OverdueSort = str
else:  # the sort keys of the overdue list, listed in the schema and checked
    OverdueSort = Literal[OVERDUE_SORTS]


class SlaTermsIn(Schema):
    """The days to remediate by severity, for KEV (at most) and overdue before escalation; the fields
    left out keep their value."""

    critical: int | None = Field(None, ge=1, le=MAX_DAYS)
    high: int | None = Field(None, ge=1, le=MAX_DAYS)
    medium: int | None = Field(None, ge=1, le=MAX_DAYS)
    low: int | None = Field(None, ge=1, le=MAX_DAYS, description="Also a CVSS severity 'none'")
    unknown: int | None = Field(None, ge=1, le=MAX_DAYS, description="A finding without a score")
    kev: int | None = Field(None, ge=1, le=MAX_DAYS, description="At most this many days when in CISA KEV")
    escalation: int | None = Field(None, ge=0, le=MAX_DAYS, description="Days overdue before escalation")
    etag: str | None = Field(None, description="The version changed (else If-Match; 0: the defaults)")


class SlaOut(Schema):
    organisation_id: int
    own: bool = Field(description="False: the organisation has no policy and the shipped defaults apply")
    version: int = Field(description="0 while the defaults apply")
    source: str = Field(description="Where the defaults come from, or who changed the policy last")
    critical: int
    high: int
    medium: int
    low: int
    unknown: int
    kev: int
    escalation: int
    etag: str


class OverdueOut(Schema):
    id: int
    vulnerability_id: str
    severity: str
    kev: bool
    release_id: int
    release: str
    project_id: int
    project: str
    owner_id: int | None
    owner: str = Field(description="The owner's user name (empty: nobody)")
    due_date: dt.date
    due_from: str = Field(description="sla: the organisation's SLA set it; person: a person did")
    days_overdue: int

    @staticmethod
    def resolve_release(obj: Finding) -> str:
        return str(obj.release)

    @staticmethod
    def resolve_project_id(obj: Finding) -> int:
        return obj.release.project_id

    @staticmethod
    def resolve_project(obj: Finding) -> str:
        return obj.release.project.name

    @staticmethod
    def resolve_owner(obj: Finding) -> str:
        return obj.owner.get_username() if obj.owner else ""

    @staticmethod
    def resolve_days_overdue(obj: Finding) -> int:
        return selectors.days_overdue(obj, timezone.localdate())


def _out(view: selectors.SlaView) -> dict[str, object]:
    return {
        "organisation_id": view.organisation.pk, "own": view.own, "version": view.version,
        "source": view.source, "etag": view.etag, **view.terms.model_dump(),
    }  # fmt: skip


@router.get("/organisations/{organisation_id}/sla-policy", response=SlaOut)
@needs(Perm.VIEW, on="organisation")
def get_sla_policy(request: HttpRequest, organisation_id: Id, response: HttpResponse) -> dict[str, object]:
    found = selectors.sla_policy(actor(request), organisation_id)
    with_etag(response, found.etag)
    return _out(found)


@router.put(
    "/organisations/{organisation_id}/sla-policy",
    response={200: SlaOut, 409: ConflictOut},
    openapi_extra=IF_MATCH,
)
@needs(Perm.ADMINISTER, on="organisation")
def set_sla_policy(
    request: HttpRequest, organisation_id: Id, payload: SlaTermsIn, response: HttpResponse
) -> dict[str, object]:
    """Set the SLA (administrators); the open findings' SLA-derived due dates follow it."""
    terms = payload.dict(exclude_none=True, exclude={"etag"})
    expected = expected_version(request, payload.etag)
    policy = services.set_sla_policy(
        actor=actor(request), organisation_id=organisation_id, terms=terms, expected=expected
    )
    with_etag(response, policy.etag)
    return _out(selectors.policy_view(policy, can_edit=True))


@router.get("/organisations/{organisation_id}/overdue-findings", response=list[OverdueOut])
@paginate(Pages)
@needs(Perm.VIEW, on="organisation")
def list_overdue(
    request: HttpRequest, organisation_id: Id, sort: OverdueSort = "due_date"
) -> QuerySet[Finding]:
    """Open findings past due, the most days overdue first (`-due_date`: the fewest first)."""
    return selectors.overdue_findings(actor(request), organisation_id, sort)
