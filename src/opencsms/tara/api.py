"""The TARA API: import and export, elements with filters and pages, the attack tree editor, threat
generation, attack paths, UN R155 Annex 5 coverage, review and approval, baselines and their diff. Every
endpoint is one selector or service call."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from opencsms.core.access import needs
from opencsms.core.http import actor, attachment, download, expected_version, with_etag
from opencsms.core.schemas import IF_MATCH, ConflictOut, Id, Pages
from opencsms.engine.reports import MEDIA_TYPES
from opencsms.engine.reports.path_pictures import AssetPathPictures
from opencsms.engine.tara.trace_render import trace_data
from opencsms.organisation.access import Perm
from opencsms.tara import api_start, selectors, services
from opencsms.tara.models import Baseline, Comment, Element, ImportJob, Kind, RuleFile, Tara
from opencsms.tara.schemas import (
    ApproveIn,
    AssetPathsOut,
    AttachPathsIn,
    AttachPathsOut,
    BaselineIn,
    BaselineOut,
    BulkIn,
    ChecklistOut,
    CommentIn,
    CommentOut,
    CoverageOut,
    DecisionIn,
    ElementChangesIn,
    ElementIn,
    ElementOut,
    ElementQuery,
    GenerationOut,
    HeaderIn,
    ImportJobOut,
    NoteIn,
    OpenItemOut,
    PathsQuery,
    ReasonIn,
    ReferencesOut,
    RuleFileDetailOut,
    RuleFileOut,
    RuleFindingOut,
    TaraDetailOut,
    TaraOut,
    TraceabilityOut,
    TreeEditIn,
    job_url,
)

router = Router(tags=["tara"])
router.add_router("", api_start.router)
YAML = "application/yaml; charset=utf-8"


@router.get("/projects/{project_id}/taras", response=list[TaraOut])
@needs(Perm.VIEW, on="project")
def list_taras(request: HttpRequest, project_id: Id) -> QuerySet[Tara]:
    return selectors.taras(actor(request), project_id=project_id)


@router.post("/projects/{project_id}/taras", response={201: TaraDetailOut, 202: ImportJobOut})
@needs(Perm.EDIT, on="project")
def import_tara(
    request: HttpRequest,
    response: HttpResponse,
    project_id: Id,
    file: File[UploadedFile],
    replace: Form[bool] = False,
) -> Status[Tara] | Status[ImportJob]:
    """Import at once, or (a file over `TARA_SYNC_IMPORT_MAX_BYTES`) queue it: 202, Location: the job."""
    raw = file.read(selectors.MAX_UPLOAD_BYTES + 1)  # the engine refuses anything longer, naming the limit
    done = services.import_or_queue(
        actor=actor(request), project_id=project_id, raw=raw, filename=file.name or "", replace=replace
    )
    if isinstance(done, ImportJob):
        response["Location"] = job_url(done)
        return Status(202, done)
    return Status(201, done)


@router.post("/projects/{project_id}/tara-imports", response={202: ImportJobOut})
@needs(Perm.EDIT, on="project")
def request_import(
    request: HttpRequest, project_id: Id, file: File[UploadedFile], replace: Form[bool] = False
) -> Status[ImportJob]:
    raw = file.read(selectors.MAX_UPLOAD_BYTES + 1)
    job = services.request_import(
        actor=actor(request), project_id=project_id, raw=raw, filename=file.name or "", replace=replace
    )
    return Status(202, job)


@router.get("/tara-imports/{job_id}", response=ImportJobOut)
@needs(Perm.VIEW, on="import_job")
def get_import(request: HttpRequest, job_id: Id) -> ImportJob:
    return services.import_job_status(actor=actor(request), job_id=job_id)


@router.get("/taras/{tara_id}", response=TaraDetailOut)
@needs(Perm.VIEW, on="tara")
def get_tara(request: HttpRequest, tara_id: Id, response: HttpResponse) -> Tara:
    tara = selectors.tara(actor(request), tara_id)
    with_etag(response, tara.etag)
    return tara


@router.get("/taras/{tara_id}/findings", response=list[RuleFindingOut])
@paginate(Pages)
@needs(Perm.VIEW, on="tara")
def list_findings(request: HttpRequest, tara_id: Id) -> list[dict[str, str]]:
    return selectors.findings(selectors.tara(actor(request), tara_id))


@router.patch("/taras/{tara_id}", response={200: TaraDetailOut, 409: ConflictOut}, openapi_extra=IF_MATCH)
@needs(Perm.EDIT, on="tara")
def update_header(request: HttpRequest, tara_id: Id, payload: HeaderIn, response: HttpResponse) -> Tara:
    tara = services.update_header(
        actor=actor(request), tara_id=tara_id, changes=payload.changes,
        expected=expected_version(request, payload.etag),
    )  # fmt: skip
    with_etag(response, tara.etag)
    return tara


@router.get("/taras/{tara_id}/export", openapi_extra=download(YAML))
@needs(Perm.VIEW, on="tara")
def export_tara(request: HttpRequest, tara_id: Id) -> HttpResponse:
    tara = selectors.tara(actor(request), tara_id)
    return attachment(selectors.export_yaml(tara), f"{tara.ref}.tara.yaml", YAML)


@router.get("/taras/{tara_id}/report", openapi_extra=download(*MEDIA_TYPES.values()))
@needs(Perm.VIEW, on="tara")
def report(
    request: HttpRequest,
    tara_id: Id,
    format: str = "html",  # noqa: A002
    version: str = "working",
) -> HttpResponse:
    """The report of a version (`working`, the working state, or `baseline:<id>`) with its document
    control block; the file is named after the version (`<reference>-r<revision>-<state>-<hash>.<format>`)."""
    made = selectors.report(selectors.tara(actor(request), tara_id), format, version)
    return attachment(made.content, made.filename, made.media_type)


@router.get("/taras/{tara_id}/elements/{kind}", response=list[ElementOut])
@paginate(Pages)
@needs(Perm.VIEW, on="tara")
def list_elements(
    request: HttpRequest, tara_id: Id, kind: Kind, filters: Query[ElementQuery]
) -> QuerySet[Element]:
    tara = selectors.tara(actor(request), tara_id)
    return selectors.elements(tara, kind, filters.to_filter())


@router.post("/taras/{tara_id}/elements/{kind}", response={201: ElementOut})
@needs(Perm.EDIT, on="tara")
def create_element(request: HttpRequest, tara_id: Id, kind: Kind, payload: ElementIn) -> Status[Element]:
    element = services.create_element(actor=actor(request), tara_id=tara_id, kind=kind, data=payload.data)
    return Status(201, element)


@router.post("/taras/{tara_id}/elements/{kind}/bulk", response=list[ElementOut])
@needs(Perm.EDIT, on="tara")
def bulk_edit(request: HttpRequest, tara_id: Id, kind: Kind, payload: BulkIn) -> list[Element]:
    """Set the same fields on many elements; refused as a whole (naming each element refused) when the
    change cannot apply to one of them. Each changed element is audited."""
    return services.bulk_edit_elements(
        actor=actor(request), tara_id=tara_id, kind=kind, refs=payload.refs, changes=payload.changes
    )


@router.get("/taras/{tara_id}/elements/{kind}/{ref}", response=ElementOut)
@needs(Perm.VIEW, on="tara")
def get_element(request: HttpRequest, tara_id: Id, kind: Kind, ref: str, response: HttpResponse) -> Element:
    element = selectors.element(selectors.tara(actor(request), tara_id), kind, ref)
    with_etag(response, element.etag)
    return element


@router.get("/taras/{tara_id}/elements/{kind}/{ref}/references", response=ReferencesOut)
@needs(Perm.VIEW, on="tara")
def element_references(request: HttpRequest, tara_id: Id, kind: Kind, ref: str) -> Any:
    """What the element refers to and which elements refer to it (each once, with the fields)."""
    return selectors.element_references(selectors.tara(actor(request), tara_id), kind, ref)


@router.get("/taras/{tara_id}/traceability", response=TraceabilityOut)
@needs(Perm.VIEW, on="tara")
def traceability(request: HttpRequest, tara_id: Id) -> dict[str, Any]:
    """Asset -> damage scenario -> threat scenario -> goal or claim -> requirement -> control, with gaps."""
    return trace_data(selectors.trace_matrix(selectors.tara(actor(request), tara_id)))


@router.patch(
    "/taras/{tara_id}/elements/{kind}/{ref}",
    response={200: ElementOut, 409: ConflictOut},
    openapi_extra=IF_MATCH,
)
@needs(Perm.EDIT, on="tara")
def update_element(
    request: HttpRequest,
    tara_id: Id,
    kind: Kind,
    ref: str,
    *,
    payload: ElementChangesIn,
    response: HttpResponse,
) -> Element:
    element = services.update_element(
        actor=actor(request), tara_id=tara_id, kind=kind, ref=ref, changes=payload.changes,
        expected=expected_version(request, payload.etag),
    )  # fmt: skip
    with_etag(response, element.etag)
    return element


@router.delete("/taras/{tara_id}/elements/{kind}/{ref}", response={204: None})
@needs(Perm.EDIT, on="tara")
def delete_element(request: HttpRequest, tara_id: Id, kind: Kind, ref: str) -> Status[None]:
    services.delete_element(actor=actor(request), tara_id=tara_id, kind=kind, ref=ref)
    return Status(204, None)


@router.post(
    "/taras/{tara_id}/threat_scenarios/{ref}/tree",
    response={200: ElementOut, 409: ConflictOut},
    openapi_extra=IF_MATCH,
)
@needs(Perm.EDIT, on="tara")
def edit_attack_tree(
    request: HttpRequest, tara_id: Id, ref: str, payload: TreeEditIn, response: HttpResponse
) -> Element:
    edit: dict[str, Any] = payload.dict(exclude={"path", "op", "at", "etag"}, exclude_none=True)
    element = services.edit_attack_tree(
        actor=actor(request),
        tara_id=tara_id,
        threat=ref,
        path=payload.path,
        op=payload.op,
        at=payload.at,
        expected=expected_version(request, payload.etag),
        **edit,
    )
    with_etag(response, element.etag)
    return element


@router.get("/taras/{tara_id}/generation", response=GenerationOut)
@needs(Perm.VIEW, on="tara")
def preview_generation(request: HttpRequest, tara_id: Id) -> GenerationOut:
    """What generating threat scenarios from the architecture would change; nothing is written."""
    return GenerationOut.of(selectors.generation_plan(selectors.tara(actor(request), tara_id)))


@router.post("/taras/{tara_id}/generation", response=GenerationOut)
@needs(Perm.EDIT, on="tara")
def generate_threats(request: HttpRequest, tara_id: Id, with_paths: bool = False) -> GenerationOut:
    """Apply the threat rules: add new proposals (`with_paths`: each with the best attack path to its
    asset, rated), mark obsolete ones; decisions are never changed."""
    plan = services.generate_threats(actor=actor(request), tara_id=tara_id, with_paths=with_paths)
    return GenerationOut.of(plan)


@router.post("/taras/{tara_id}/threat-decisions", response=list[ElementOut])
@needs(Perm.EDIT, on="tara")
def decide_threats(request: HttpRequest, tara_id: Id, payload: DecisionIn) -> list[Element]:
    """Accept or reject threat scenarios in one change (a rejection needs its rationale)."""
    return services.decide_threats(actor=actor(request), tara_id=tara_id, **payload.dict())


@router.get("/taras/{tara_id}/attack-paths", response=list[AssetPathsOut])
@needs(Perm.VIEW, on="tara")
def attack_paths(request: HttpRequest, tara_id: Id, query: Query[PathsQuery]) -> list[AssetPathPictures]:
    """The k best attack paths from the architecture's entry points to each asset (ISO/SAE 21434 15.6)."""
    tara = selectors.tara(actor(request), tara_id)
    return selectors.asset_paths(tara, query.asset, query.k, residual=query.residual, drawn=False)


@router.post("/taras/{tara_id}/threat_scenarios/{ref}/attack-paths", response=AttachPathsOut)
@needs(Perm.EDIT, on="tara")
def attach_paths(request: HttpRequest, tara_id: Id, ref: str, payload: AttachPathsIn) -> AttachPathsOut:
    """Add the k best attack paths to the threat scenario's asset as its attack trees."""
    threat, added = services.attach_paths(actor=actor(request), tara_id=tara_id, threat_ref=ref, k=payload.k)
    return AttachPathsOut(added=added, threat=ElementOut.from_orm(threat))


@router.get("/taras/{tara_id}/annex5", response=CoverageOut)
@needs(Perm.VIEW, on="tara")
def annex5_coverage(request: HttpRequest, tara_id: Id) -> CoverageOut:
    """UN R155 Annex 5: Part A threats against the threat scenarios, Part B/C mitigations against controls."""
    return CoverageOut.of(selectors.coverage(selectors.tara(actor(request), tara_id)))


@router.get("/organisations/{organisation_id}/threat-rules", response=list[RuleFileOut])
@needs(Perm.VIEW, on="organisation")
def list_rule_files(request: HttpRequest, organisation_id: Id) -> QuerySet[RuleFile]:
    """The organisation's own threat rule files (the shipped ones are not listed)."""
    return selectors.rule_files(actor(request), organisation_id)


@router.post("/organisations/{organisation_id}/threat-rules", response={201: RuleFileDetailOut})
@needs(Perm.EDIT, on="organisation")
def upload_rule_file(request: HttpRequest, organisation_id: Id, file: File[UploadedFile]) -> Status[RuleFile]:
    """Add a threat rule file, or replace the organisation's file with the same URN."""
    raw = file.read(services.MAX_RULE_FILE_BYTES + 1)
    rule_file = services.upload_rule_file(
        actor=actor(request), organisation_id=organisation_id, raw=raw, filename=file.name or ""
    )
    return Status(201, rule_file)


@router.get("/threat-rules/{rule_file_id}", response=RuleFileDetailOut)
@needs(Perm.VIEW, on="rule_file")
def get_rule_file(request: HttpRequest, rule_file_id: Id) -> RuleFile:
    return selectors.rule_file(actor(request), rule_file_id)


@router.delete("/threat-rules/{rule_file_id}", response={204: None})
@needs(Perm.EDIT, on="rule_file")
def delete_rule_file(request: HttpRequest, rule_file_id: Id) -> Status[None]:
    services.delete_rule_file(actor=actor(request), rule_file_id=rule_file_id)
    return Status(204, None)


@router.post("/taras/{tara_id}/submit", response=TaraDetailOut)
@needs(Perm.EDIT, on="tara")
def submit(request: HttpRequest, tara_id: Id, payload: NoteIn) -> Tara:
    return services.submit_for_review(actor=actor(request), tara_id=tara_id, note=payload.note)


@router.post("/taras/{tara_id}/withdraw", response=TaraDetailOut)
@needs(Perm.EDIT, on="tara")
def withdraw(request: HttpRequest, tara_id: Id) -> Tara:
    return services.withdraw_from_review(actor=actor(request), tara_id=tara_id)


@router.post("/taras/{tara_id}/return", response=TaraDetailOut)
@needs(Perm.REVIEW, on="tara")
def return_to_draft(request: HttpRequest, tara_id: Id, payload: ReasonIn) -> Tara:
    return services.return_to_draft(actor=actor(request), tara_id=tara_id, reason=payload.reason)


@router.get("/taras/{tara_id}/comments", response=list[CommentOut])
@needs(Perm.VIEW, on="tara")
def list_comments(request: HttpRequest, tara_id: Id, kind: str = "", ref: str = "") -> QuerySet[Comment]:
    return selectors.comments(selectors.tara(actor(request), tara_id), kind, ref)


@router.post("/taras/{tara_id}/comments", response={201: CommentOut})
@needs(Perm.EDIT, Perm.REVIEW, on="tara")
def add_comment(request: HttpRequest, tara_id: Id, payload: CommentIn) -> Status[Comment]:
    return Status(201, services.add_comment(actor=actor(request), tara_id=tara_id, **payload.dict()))


@router.get("/taras/{tara_id}/checklist", response=ChecklistOut)
@needs(Perm.VIEW, on="tara")
def checklist(request: HttpRequest, tara_id: Id) -> ChecklistOut:
    found = selectors.checklist(selectors.tara(actor(request), tara_id))
    items = [OpenItemOut(key=item.key, label=item.label, count=item.count) for item in found.items]
    return ChecklistOut(items=items, open=len(found.open))


@router.post("/taras/{tara_id}/approve", response={201: BaselineOut})
@needs(Perm.APPROVE, on="tara")
def approve(request: HttpRequest, tara_id: Id, payload: ApproveIn) -> Status[Baseline]:
    baseline = services.approve(actor=actor(request), tara_id=tara_id, **payload.dict())
    return Status(201, baseline)


@router.get("/taras/{tara_id}/baselines", response=list[BaselineOut])
@needs(Perm.VIEW, on="tara")
def list_baselines(request: HttpRequest, tara_id: Id) -> QuerySet[Baseline]:
    return selectors.baselines(selectors.tara(actor(request), tara_id))


@router.post("/taras/{tara_id}/baselines", response={201: BaselineOut})
@needs(Perm.EDIT, Perm.REVIEW, on="tara")
def create_baseline(request: HttpRequest, tara_id: Id, payload: BaselineIn) -> Status[Baseline]:
    return Status(201, services.create_baseline(actor=actor(request), tara_id=tara_id, name=payload.name))


@router.get("/taras/{tara_id}/diff", response=dict[str, Any])
@needs(Perm.VIEW, on="tara")
def diff(request: HttpRequest, tara_id: Id, old: str, new: str = "working") -> dict[str, Any]:
    return selectors.diff_data(selectors.tara(actor(request), tara_id), old, new)
