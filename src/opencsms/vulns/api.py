"""The vulnerability monitoring API: releases and SBOM upload, findings with filters and pages, triage,
VEX export, advisory import and sources, KEV and EPSS, the loop into the TARA, notifications. Every
endpoint is one selector or service call."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from opencsms.core.access import needs, signed_in
from opencsms.core.http import actor, attachment, download, expected_version, with_etag
from opencsms.core.schemas import IF_MATCH, BulkConflictOut, ConflictOut, Id, Pages
from opencsms.core.spreadsheets import TABLE_FORMATS
from opencsms.organisation.access import Perm
from opencsms.organisation.models import Level
from opencsms.vulns import api_sla, selectors, services
from opencsms.vulns.models import (
    AdvisorySource,
    Finding,
    LoopRule,
    Notification,
    Release,
    SbomRevision,
    StepLink,
    VexImport,
)
from opencsms.vulns.schemas import (
    AdvisoryDetailOut,
    BulkTriageIn,
    BulkTriageOut,
    ExploitationIn,
    ExploitationOut,
    FindingOut,
    FindingQuery,
    ImportOut,
    LinkIn,
    LinkOut,
    LoopRuleIn,
    LoopRuleOut,
    NotificationOut,
    PortfolioBulkTriageIn,
    ReadIn,
    ReadOut,
    RejectIn,
    ReleaseIn,
    ReleaseOut,
    SbomRevisionOut,
    ScheduleIn,
    SourceIn,
    SourceOut,
    StepLinkOut,
    ThreatOut,
    TriageIn,
    VexImportOut,
)

router = Router(tags=["vulns"])
router.add_router("", api_sla.router)  # the SLA and overdue findings (api_sla.py)
NULLABLE = ("owner_id", "due_date", "accepted_until")  # null clears them; other fields: the empty string


@router.get("/projects/{project_id}/releases", response=list[ReleaseOut])
@needs(Perm.VIEW, on="project")
def list_releases(request: HttpRequest, project_id: Id) -> QuerySet[Release]:
    return selectors.releases(actor(request), project_id=project_id)


@router.post("/projects/{project_id}/releases", response={201: ReleaseOut})
@needs(Perm.EDIT, on="project")
def upload_sbom(
    request: HttpRequest,
    project_id: Id,
    file: File[UploadedFile],
    form: Form[ReleaseIn],
) -> Status[Release]:
    raw = file.read(selectors.MAX_SBOM_BYTES + 1)
    release = services.upload_sbom(
        actor=actor(request), project_id=project_id, raw=raw, filename=file.name or "", **form.dict()
    )
    return Status(201, release)


@router.get("/releases/{release_id}", response=ReleaseOut)
@needs(Perm.VIEW, on="release")
def get_release(request: HttpRequest, release_id: Id) -> Release:
    return selectors.release(actor(request), release_id)


@router.get("/releases/{release_id}/sbom-revisions", response=list[SbomRevisionOut])
@needs(Perm.VIEW, on="release")
def list_sbom_revisions(request: HttpRequest, release_id: Id) -> QuerySet[SbomRevision]:
    return selectors.sbom_revisions(selectors.release(actor(request), release_id))


@router.post("/releases/{release_id}/sbom-revisions", response={201: SbomRevisionOut})
@needs(Perm.EDIT, on="release")
def replace_sbom(request: HttpRequest, release_id: Id, file: File[UploadedFile]) -> Status[SbomRevision]:
    """Replace the release's SBOM: components diffed, findings carried over, closed or new (the summary)."""
    raw = file.read(selectors.MAX_SBOM_BYTES + 1)
    revision = services.replace_sbom(
        actor=actor(request), release_id=release_id, raw=raw, filename=file.name or ""
    )
    return Status(201, revision)


@router.get("/releases/{release_id}/findings", response=list[FindingOut])
@paginate(Pages)
@needs(Perm.VIEW, on="release")
def list_findings(request: HttpRequest, release_id: Id, filters: Query[FindingQuery]) -> QuerySet[Finding]:
    return selectors.findings(actor(request), release_id=release_id, filters=filters.to_filter())


@router.get(
    "/releases/{release_id}/findings/export",
    response={200: bytes},
    openapi_extra=download(*TABLE_FORMATS.values()),
)
@needs(Perm.VIEW, on="release")
def export_findings(
    request: HttpRequest,
    release_id: Id,
    filters: Query[FindingQuery],
    format: str = "csv",  # noqa: A002
) -> HttpResponse:
    """The filtered, sorted findings (every page) as `csv` or `xlsx`."""
    made = selectors.release_export(actor(request), release_id, filters.to_filter(), format)
    return attachment(made.content, made.filename, made.media_type)


@router.get("/releases/{release_id}/vex", response={200: dict[str, Any]})
@needs(Perm.VIEW, on="release")
def export_vex(request: HttpRequest, release_id: Id, format: str = "openvex") -> HttpResponse:  # noqa: A002
    release = selectors.release(actor(request), release_id)
    name = f"{release.name}-{release.version}.{format}.json"
    return attachment(selectors.vex_bytes(release, format), name, "application/json")


@router.post(
    "/releases/{release_id}/findings/bulk-triage", response={200: BulkTriageOut, 409: BulkConflictOut}
)
@needs(Perm.EDIT, on="release")
def bulk_triage(request: HttpRequest, release_id: Id, payload: BulkTriageIn) -> dict[str, Any]:
    """The same triage for many findings of the release (ticked, or all matching the filter); refused as
    a whole, naming each finding refused, when one cannot take it or changed since you saw it (409, with
    `expected`). Each changed finding is audited."""
    done = services.bulk_triage(
        actor=actor(request), release_id=release_id, changes=payload.changed_fields(),
        finding_ids=None if payload.all_matching else payload.ids,
        filters=payload.filters.to_filter() if payload.filters else None, expected=payload.expected,
    )  # fmt: skip
    return {"count": len(done), "ids": [f.pk for f in done]}


@router.post("/findings/bulk-triage", response={200: BulkTriageOut, 409: BulkConflictOut})
@needs(Perm.EDIT, on="finding")
def bulk_triage_portfolio(request: HttpRequest, payload: PortfolioBulkTriageIn) -> dict[str, Any]:
    """The same triage for many findings across releases (ticked, or all matching the portfolio's
    filter); refused as a whole when one cannot take it, a project is not editable or one changed since
    you saw it (409, with `expected`). Each audited."""
    done = services.bulk_triage_portfolio(
        actor=actor(request), changes=payload.changed_fields(), organisation_id=payload.organisation_id,
        finding_ids=None if payload.all_matching else payload.ids,
        filters=payload.filters.to_filter() if payload.filters else None, expected=payload.expected,
    )  # fmt: skip
    return {"count": len(done), "ids": [f.pk for f in done]}


@router.post("/releases/{release_id}/vex-imports", response={201: VexImportOut})
@needs(Perm.EDIT, on="release")
def import_vex_for_release(
    request: HttpRequest, release_id: Id, file: File[UploadedFile]
) -> Status[VexImport]:
    """Import a VEX document (OpenVEX, CycloneDX, CSAF) as triage of the release's findings."""
    raw = file.read(selectors.MAX_SBOM_BYTES + 1)
    made = services.import_vex(actor=actor(request), release_id=release_id, raw=raw, filename=file.name or "")
    return Status(201, made)


@router.post("/organisations/{organisation_id}/vex-imports", response={201: VexImportOut})
@needs(Perm.EDIT, on="organisation")
def import_vex_for_organisation(
    request: HttpRequest, organisation_id: Id, file: File[UploadedFile]
) -> Status[VexImport]:
    """Import a VEX document as triage of every release of the organisation whose components it names."""
    raw = file.read(selectors.MAX_SBOM_BYTES + 1)
    made = services.import_vex(
        actor=actor(request), organisation_id=organisation_id, raw=raw, filename=file.name or ""
    )
    return Status(201, made)


@router.get("/findings/{finding_id}", response=FindingOut)
@needs(Perm.VIEW, on="finding")
def get_finding(request: HttpRequest, finding_id: Id, response: HttpResponse) -> Finding:
    finding = selectors.finding(actor(request), finding_id)
    with_etag(response, finding.etag)
    return finding


@router.patch("/findings/{finding_id}", response={200: FindingOut, 409: ConflictOut}, openapi_extra=IF_MATCH)
@needs(Perm.EDIT, on="finding")
def triage(request: HttpRequest, finding_id: Id, payload: TriageIn, response: HttpResponse) -> Finding:
    changes: dict[str, Any] = {k: ("" if v is None and k not in NULLABLE else v)
               for k, v in payload.dict(exclude_unset=True, exclude={"etag"}).items()}  # fmt: skip
    expected = expected_version(request, payload.etag)
    finding = services.triage_finding(
        actor=actor(request), finding_id=finding_id, expected=expected, **changes
    )
    with_etag(response, finding.etag)
    return finding


@router.get("/findings/{finding_id}/threats", response=list[ThreatOut])
@needs(Perm.VIEW, on="finding")
def list_threats(request: HttpRequest, finding_id: Id) -> list[dict[str, Any]]:
    return selectors.threats_for_finding(selectors.finding(actor(request), finding_id))


@router.post("/findings/{finding_id}/tara-link", response=LinkOut)
@needs(Perm.EDIT, on="finding")
def link_to_step(request: HttpRequest, finding_id: Id, payload: LinkIn) -> dict[str, Any]:
    element = services.link_finding_to_step(
        actor=actor(request), finding_id=finding_id, threat_ref=payload.threat, path_ref=payload.path,
        address=payload.address,
    )  # fmt: skip
    return {"threat": element.ref, "risk": element.risk, "feasibility": element.feasibility}


@router.get("/findings/{finding_id}/step-links", response=list[StepLinkOut])
@needs(Perm.VIEW, on="finding")
def list_step_links(request: HttpRequest, finding_id: Id) -> list[StepLink]:
    return selectors.finding_links(selectors.finding(actor(request), finding_id))


@router.post("/findings/{finding_id}/step-links/{link_id}/confirm", response=StepLinkOut)
@needs(Perm.EDIT, on="finding")
def confirm_step_link(request: HttpRequest, finding_id: Id, link_id: Id) -> StepLink:
    return services.confirm_step_link(actor=actor(request), finding_id=finding_id, link_id=link_id)


@router.post("/findings/{finding_id}/step-links/{link_id}/reject", response=StepLinkOut)
@needs(Perm.EDIT, on="finding")
def reject_step_link(request: HttpRequest, finding_id: Id, link_id: Id, payload: RejectIn) -> StepLink:
    return services.reject_step_link(
        actor=actor(request), finding_id=finding_id, link_id=link_id, reason=payload.reason
    )


@router.get("/taras/{tara_id}/step-links", response=list[StepLinkOut])
@needs(Perm.VIEW, on="tara")
def list_tara_step_links(request: HttpRequest, tara_id: Id, threat: str = "") -> QuerySet[StepLink]:
    return selectors.tara_step_links(actor(request), tara_id, threat)


@router.get("/organisations/{organisation_id}/tara-loop-rule", response=LoopRuleOut)
@needs(Perm.VIEW, on="organisation")
def get_loop_rule(request: HttpRequest, organisation_id: Id) -> dict[str, Any]:
    return {
        "organisation_id": organisation_id,
        "mode": selectors.organisation_loop_mode(actor(request), organisation_id),
    }


@router.put("/organisations/{organisation_id}/tara-loop-rule", response=LoopRuleOut)
@needs(Perm.APPROVE, on="organisation")
def set_loop_rule(request: HttpRequest, organisation_id: Id, payload: LoopRuleIn) -> LoopRule:
    return services.set_tara_loop_rule(
        actor=actor(request), organisation_id=organisation_id, mode=payload.mode
    )


@router.post("/projects/{project_id}/advisories", response=ImportOut)
@needs(Perm.EDIT, on="project")
def import_for_project(request: HttpRequest, project_id: Id, file: File[UploadedFile]) -> Any:
    raw = file.read(selectors.MAX_ADVISORY_BYTES + 1)
    return services.import_advisories(
        actor=actor(request), project_id=project_id, raw=raw, filename=file.name or ""
    )


@router.post("/organisations/{organisation_id}/advisories", response=ImportOut)
@needs(Perm.EDIT, on="organisation")
def import_for_organisation(request: HttpRequest, organisation_id: Id, file: File[UploadedFile]) -> Any:
    raw = file.read(selectors.MAX_ADVISORY_BYTES + 1)
    return services.import_advisories(
        actor=actor(request), organisation_id=organisation_id, raw=raw, filename=file.name or ""
    )


@router.post("/projects/{project_id}/exploitation", response=ExploitationOut)
@needs(Perm.EDIT, on="project")
def exploitation_for_project(
    request: HttpRequest, project_id: Id, file: File[UploadedFile], form: Form[ExploitationIn]
) -> Any:
    raw = file.read(selectors.MAX_ADVISORY_BYTES + 1)
    return services.import_exploitation(
        actor=actor(request), project_id=project_id, kind=form.kind, raw=raw, filename=file.name or ""
    )


@router.post("/organisations/{organisation_id}/exploitation", response=ExploitationOut)
@needs(Perm.EDIT, on="organisation")
def exploitation_for_organisation(
    request: HttpRequest, organisation_id: Id, file: File[UploadedFile], form: Form[ExploitationIn]
) -> Any:
    raw = file.read(selectors.MAX_ADVISORY_BYTES + 1)
    return services.import_exploitation(
        actor=actor(request),
        organisation_id=organisation_id,
        kind=form.kind,
        raw=raw,
        filename=file.name or "",
    )


@router.get("/organisations/{organisation_id}/advisories/{advisory_id}", response=AdvisoryDetailOut)
@needs(Perm.VIEW, on="organisation")
def organisation_advisory(request: HttpRequest, organisation_id: Id, advisory_id: str) -> dict[str, Any]:
    """One advisory of the organisation's mirror: its records, severities, ranges and findings."""
    return selectors.advisory_detail(actor(request), Level.ORGANISATION, organisation_id, advisory_id).data()


@router.get("/projects/{project_id}/advisories/{advisory_id}", response=AdvisoryDetailOut)
@needs(Perm.VIEW, on="project")
def project_advisory(request: HttpRequest, project_id: Id, advisory_id: str) -> dict[str, Any]:
    """One advisory of the mirror of the project's organisation (the findings of any release you see)."""
    return selectors.advisory_detail(actor(request), Level.PROJECT, project_id, advisory_id).data()


@router.get("/organisations/{organisation_id}/advisory-sources", response=list[SourceOut])
@needs(Perm.VIEW, on="organisation")
def list_sources(request: HttpRequest, organisation_id: Id) -> QuerySet[AdvisorySource]:
    return selectors.advisory_sources(actor(request), organisation_id=organisation_id)


@router.post("/organisations/{organisation_id}/advisory-sources", response={201: SourceOut})
@needs(Perm.EDIT, on="organisation")
def create_source(request: HttpRequest, organisation_id: Id, payload: SourceIn) -> Status[AdvisorySource]:
    source = services.create_advisory_source(
        actor=actor(request), organisation_id=organisation_id, **payload.dict()
    )
    return Status(201, source)


@router.get("/advisory-sources/{source_id}", response=SourceOut)
@needs(Perm.VIEW, on="advisory_source")
def get_source(request: HttpRequest, source_id: Id) -> AdvisorySource:
    """The source and its last sync: `sync_status` queued, running, done or failed (`sync_error` says why)."""
    return services.source_status(actor=actor(request), source_id=source_id)


@router.put("/advisory-sources/{source_id}/schedule", response=SourceOut)
@needs(Perm.EDIT, on="advisory_source")
def set_schedule(request: HttpRequest, source_id: Id, payload: ScheduleIn) -> AdvisorySource:
    """Sync the source on a schedule (`every` seconds), or stop (null); the scheduler queues it when due."""
    return services.set_schedule(actor=actor(request), source_id=source_id, every=payload.every)


@router.post("/advisory-sources/{source_id}/sync", response={202: SourceOut})
@needs(Perm.EDIT, on="advisory_source")
def queue_sync(request: HttpRequest, source_id: Id) -> Status[AdvisorySource]:
    return Status(202, services.queue_sync(actor=actor(request), source_id=source_id))


@router.get("/notifications", response=list[NotificationOut])
@paginate(Pages)
@signed_in
def list_notifications(request: HttpRequest, unread: bool = False) -> QuerySet[Notification]:
    return selectors.notifications(actor(request), unread_only=unread)


@router.post("/notifications/read", response=ReadOut)
@signed_in
def mark_read(request: HttpRequest, payload: ReadIn) -> dict[str, int]:
    return {"read": services.mark_notifications_read(actor=actor(request), notification_ids=payload.ids)}
