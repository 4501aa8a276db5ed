"""What the TARA pages show, shaped for display: the project's TARA list, a TARA's overview (summary
cards, risk heat map coloured by the profile's matrix, baselines, review rights), a diff between two
versions, and the dashboard per organisation, business unit and project.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch

from opencsms.core.models import User
from opencsms.engine.labels import label, words
from opencsms.organisation import selectors as organisation_selectors
from opencsms.organisation.access import Perm, permissions
from opencsms.organisation.models import Level, Project
from opencsms.tara.models import Baseline, ImportJob, ImportStatus, Kind, State, Tara
from opencsms.tara.selectors.documents import baselines, diff_data, tara, taras
from opencsms.tara.selectors.review import (
    OPEN_ITEMS,
    Checklist,
    checklist,
    returned_to,
    waiting_for_review,
)
from opencsms.tara.selectors.workspace import Access, access, profile_of

RISK_VALUES = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class Segment:
    """A part of a risk distribution bar: `x` and `width` in percent of the bar."""

    risk: int
    count: int
    x: float
    width: float


def risk_bar(distribution: dict[str, int]) -> list[Segment]:
    total = sum(int(distribution.get(str(v), 0)) for v in RISK_VALUES)
    segments, x = [], 0.0
    for value in RISK_VALUES:
        count = int(distribution.get(str(value), 0))
        if count and total:
            width = round(100 * count / total, 2)
            segments.append(Segment(value, count, x, width))
            x = round(x + width, 2)
    return segments


def annotate(found: Tara) -> Tara:
    """Attach the risk bars to a TARA (`risk_bar`, `residual_bar`) for its templates."""
    found.risk_bar = risk_bar(found.summary.get("risk") or {})  # type: ignore[attr-defined]
    found.residual_bar = risk_bar(found.summary.get("residual_risk") or {})  # type: ignore[attr-defined]
    return found


IMPORTS_SHOWN = 5  # the latest background imports of a project, shown with their status


@dataclass(frozen=True)
class ProjectImports:
    """A project's latest background imports; the page asks again while one is queued or running."""

    project: Project
    jobs: list[ImportJob]

    @property
    def pending(self) -> bool:
        return any(job.status in (ImportStatus.QUEUED, ImportStatus.RUNNING) for job in self.jobs)


@dataclass(frozen=True)
class ProjectTaras:
    project: Project
    taras: list[Tara]
    can_edit: bool
    imports: ProjectImports


def _imports(project: Project) -> ProjectImports:
    jobs = ImportJob.objects.filter(project=project).defer("raw").select_related("requested_by", "tara")
    return ProjectImports(project, list(jobs.order_by("-created_at", "-id")[:IMPORTS_SHOWN]))


def project_imports(user: User, project_id: int) -> ProjectImports:
    project = organisation_selectors.level(user, Level.PROJECT, project_id)
    assert isinstance(project, Project)
    return _imports(project)


def project_taras(user: User, project_id: int) -> ProjectTaras:
    project = organisation_selectors.level(user, Level.PROJECT, project_id)
    assert isinstance(project, Project)
    found = [annotate(t) for t in taras(user, project_id=project_id)]
    return ProjectTaras(project, found, Perm.EDIT in permissions(user, project), _imports(project))


@dataclass(frozen=True)
class Cell:
    count: int
    risk: int


@dataclass(frozen=True)
class HeatMap:
    """Impact (rows, highest first) x feasibility (columns, lowest first); each cell its threat count
    and the risk value the profile's matrix gives it (ISO/SAE 21434 15.8, Annex H)."""

    columns: list[str]
    rows: list[tuple[str, list[Cell]]]


def heat_map(found: Tara) -> HeatMap:
    profile = profile_of(found)
    counts = {(i, f): n for i, f, n in found.summary.get("heat_map") or []}
    rows = [
        (
            profile.impact.labels[impact],
            [Cell(counts.get((impact, f), 0), profile.risk(impact, f)[1]) for f in profile.feasibility.ids],
        )
        for impact in reversed(profile.impact.ids)
    ]
    return HeatMap([profile.feasibility.labels[f] for f in profile.feasibility.ids], rows)


@dataclass(frozen=True)
class TaraPage:
    tara: Tara
    access: Access
    baselines: list[Baseline]
    heat_map: HeatMap
    item: dict[str, Any]
    method: dict[str, Any]
    findings: list[dict[str, str]] = field(default_factory=list)  # the first ones (mapping.FINDINGS_HEAD)
    findings_total: int = 0
    kinds: list[tuple[str, str]] = field(default_factory=lambda: list(Kind.choices))
    checklist: Checklist | None = None  # what is open, for the approver (in review only)

    @property
    def counts(self) -> list[tuple[str, int]]:
        return [(words(k), int(n)) for k, n in (self.tara.summary.get("counts") or {}).items()]

    @property
    def annex5(self) -> list[tuple[str, int]]:
        return [(label(k), int(n)) for k, n in (self.tara.summary.get("annex5") or {}).items()]

    @property
    def approval(self) -> Baseline | None:
        """The baseline that approved the current revision (when it is approved)."""
        revision = self.tara.revision
        return next((b for b in self.baselines if b.approved_by_id and b.revision == revision), None)

    @property
    def approved_open_items(self) -> list[tuple[str, int]]:
        """What was open when the current revision was approved: (what, count)."""
        found = self.approval.open_items if self.approval else {}
        return [(OPEN_ITEMS.get(key, key), int(count)) for key, count in found.items()]


def tara_page(user: User, tara_id: int) -> TaraPage:
    found = annotate(tara(user, tara_id))
    header = found.header
    return TaraPage(
        found,
        access(user, found),
        list(baselines(found)),
        heat_map(found),
        dict(header.get("item") or {}),
        dict(header.get("method") or {}),
        list(found.findings_head),
        int(found.summary.get("errors", 0)) + int(found.summary.get("warnings", 0)),
        checklist=checklist(found) if found.state == State.IN_REVIEW else None,
    )


@dataclass(frozen=True)
class DiffPage:
    tara: Tara
    old: str
    new: str
    versions: list[tuple[str, str]]
    diff: dict[str, Any] | None
    risk_threats: set[str] = field(default_factory=set)

    @property
    def old_label(self) -> str:
        return dict(self.versions).get(self.old, self.old)

    @property
    def new_label(self) -> str:
        return dict(self.versions).get(self.new, self.new)


def diff_page(user: User, tara_id: int, old: str, new: str) -> DiffPage:
    """The diff between two versions (`working` or `baseline:<id>`) with the choices of versions."""
    found = tara(user, tara_id)
    versions = [("working", "Working state")] + [
        (f"baseline:{b.pk}", f"{b.name} (r{b.revision})") for b in baselines(found)
    ]
    data = diff_data(found, old, new) if old and new else None
    risky = {r["threat"] for r in [*data["risks"], *data["risk_values"]]} if data else set()
    return DiffPage(found, old, new, versions, data, risky)


@dataclass(frozen=True)
class Dashboard:
    projects: list[Project]
    approvals: list[Tara]  # in review, waiting for the user (a reviewer or approver), with the note
    scopes: list[tuple[str, str]]
    scope: str
    returned: list[Tara] = field(default_factory=list)  # returned to the user, with the reason


def _scopes(user: User) -> list[tuple[str, str]]:
    options = [(f"organisation:{o.pk}", o.name) for o in organisation_selectors.organisations(user)]
    units = organisation_selectors.business_units(user).select_related("organisation")
    options += [(f"business_unit:{u.pk}", f"{u.organisation.name} / {u.name}") for u in units]
    return options


def dashboard(user: User, scope: str = "") -> Dashboard:
    """The user's projects with their TARAs (state, risk distribution, untreated and high risks), the
    TARAs in review waiting for them and the drafts returned to them, narrowed to one organisation or
    business unit (`kind:id`)."""
    narrow = _narrowing(scope)
    found = (
        organisation_selectors.projects(user).filter(**narrow).select_related("business_unit__organisation")
    )
    found = found.prefetch_related(
        Prefetch("taras", queryset=Tara.objects.defer("findings").order_by("name", "id"))
    )
    projects = list(found)
    for project in projects:
        for t in project.taras.all():
            annotate(t)
    approvals = list(waiting_for_review(user, narrow))
    returned = list(returned_to(user, narrow))
    return Dashboard(projects, approvals, _scopes(user), scope if narrow else "", returned)


def _narrowing(scope: str) -> dict[str, int]:
    kind, _, number = scope.partition(":")
    if not number.isdigit():
        return {}
    if kind == Level.ORGANISATION:
        return {"business_unit__organisation_id": int(number)}
    if kind == Level.BUSINESS_UNIT:
        return {"business_unit_id": int(number)}
    return {}
