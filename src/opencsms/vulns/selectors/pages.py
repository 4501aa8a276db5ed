"""What the vulnerability pages show, shaped for display: a project's releases with the upload form's
choices, a release's findings (filtered, sorted, 50 a page) and components, a finding with its possible
owners, threats and TARA links, an organisation's advisories and sources, the portfolio and the
notifications. Each page is one call; lists page in the database with a count and one `LIMIT` query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator

from opencsms.core.models import User
from opencsms.engine.matching import exploitation
from opencsms.organisation import selectors as organisation_selectors
from opencsms.organisation.access import Perm, holders, permissions
from opencsms.organisation.models import Level, LevelObject, Organisation, Project
from opencsms.tara import selectors as tara_selectors
from opencsms.tara.models import Element, Kind
from opencsms.vulns import mapping
from opencsms.vulns.models import (
    JUSTIFICATIONS,
    Decision,
    EpssScore,
    Finding,
    KnownExploited,
    LoopMode,
    SbomRevision,
    Stage,
    StepLink,
    VexImport,
    VexStatus,
)
from opencsms.vulns.selectors.jobs import SourceList, delivery_status, source_list
from opencsms.vulns.selectors.records import (
    VEX_FORMATS,
    FindingFilter,
    advisories,
    advisory_sources,
    components,
    filter_findings,
    finding,
    notifications,
    portfolio_findings,
    release,
    releases,
    sbom_revisions,
    vex_imports,
)
from opencsms.vulns.selectors.tara_loop import finding_links, loop_mode, threats_for_finding

PAGE_SIZE = 50


def _page(items: Any, number: str | int | None) -> Page[Any]:
    return Paginator(items, PAGE_SIZE).get_page(number)


def _can_edit(user: User, obj: LevelObject) -> bool:
    return Perm.EDIT in permissions(user, obj)


@dataclass(frozen=True)
class TaraChoice:
    """A TARA of the project and its components, for the upload form's selects."""

    pk: int
    name: str
    components: list[tuple[str, str]]


@dataclass(frozen=True)
class ProjectReleases:
    project: Project
    page: Page[Any]
    can_edit: bool
    taras: list[TaraChoice] = field(default_factory=list)


def tara_choices(user: User, project_id: int) -> list[TaraChoice]:
    """The project's TARAs with their components (two queries whatever their number)."""
    found = list(tara_selectors.taras(user, project_id=project_id).values_list("pk", "name"))
    rows = Element.objects.filter(tara__in=[pk for pk, _ in found], kind=Kind.COMPONENT).order_by("position")
    by_tara: dict[int, list[tuple[str, str]]] = {pk: [] for pk, _ in found}
    for tara_id, ref, label in rows.values_list("tara_id", "ref", "label"):
        by_tara[tara_id].append((ref, label))
    return [TaraChoice(pk, name, by_tara[pk]) for pk, name in found]


def project_releases(user: User, project_id: int, page_number: str | int | None = None) -> ProjectReleases:
    project = organisation_selectors.level(user, Level.PROJECT, project_id)
    assert isinstance(project, Project)
    can_edit = _can_edit(user, project)
    page = _page(releases(user, project_id=project.pk), page_number)
    return ProjectReleases(project, page, can_edit, tara_choices(user, project.pk) if can_edit else [])


@dataclass(frozen=True)
class ReleasePage:
    release: Any  # a Release annotated with its counts
    page: Page[Any]
    filters: FindingFilter
    can_edit: bool
    revisions: list[SbomRevision]
    imports: list[VexImport]
    vex_formats: tuple[str, ...] = VEX_FORMATS
    stages: tuple[tuple[str, str], ...] = tuple(Stage.choices)  # the bulk triage's choices
    vex_statuses: tuple[tuple[str, str], ...] = tuple(VexStatus.choices)
    justifications: tuple[str, ...] = JUSTIFICATIONS
    decisions: tuple[tuple[str, str], ...] = tuple(Decision.choices[1:])


def release_page(
    user: User, release_id: int, filters: FindingFilter, page_number: str | int | None = None
) -> ReleasePage:
    found = release(user, release_id)
    rows = filter_findings(found.findings.all(), filters).select_related("component", "owner")
    revisions, imports = list(sbom_revisions(found)), vex_imports(release_obj=found)
    can_edit = _can_edit(user, found.project)
    return ReleasePage(found, _page(rows, page_number), filters, can_edit, revisions, imports)


@dataclass(frozen=True)
class ComponentPage:
    release: Any
    page: Page[Any]


def component_page(user: User, release_id: int, page_number: str | int | None = None) -> ComponentPage:
    found = release(user, release_id)
    return ComponentPage(found, _page(components(found), page_number))


@dataclass(frozen=True)
class TriagePanel:
    """The finding page's triage form: the people the finding may be given to (the other choices are the
    form's, `forms.TriageForm`)."""

    finding: Finding
    can_edit: bool
    owners: list[tuple[int, str]]


@dataclass(frozen=True)
class ThreatsPanel:
    """The finding page's loop into the TARA: the threat scenarios through the release's component (the
    TARA read), the links made, and the CVSS v3 part a step can take."""

    finding: Finding
    can_edit: bool
    scenarios: list[dict[str, Any]]
    links: list[StepLink]  # proposed, applied, rejected and reversed re-ratings, the latest first
    cvss3: str


@dataclass(frozen=True)
class FindingPage:
    finding: Finding
    triage: TriagePanel
    threats: ThreatsPanel
    kev: KnownExploited | None
    epss: EpssScore | None


def _owners(project: Project, current: User | None) -> list[tuple[int, str]]:
    """Who a finding may be given to: the users who may edit the project (`triage_finding` accepts
    exactly them) and its owner, whom saving the triage keeps."""
    users = holders(Perm.EDIT, project)
    if current is not None:
        users |= User.objects.filter(pk=current.pk)
    return [(u.pk, u.get_username()) for u in users.order_by("username")]


def _triage(found: Finding, can_edit: bool) -> TriagePanel:
    return TriagePanel(found, can_edit, _owners(found.release.project, found.owner))


def _threats(user: User, found: Finding, can_edit: bool) -> ThreatsPanel:
    scenarios = threats_for_finding(found)
    return ThreatsPanel(found, can_edit, scenarios, finding_links(found), mapping.cvss3_base(found.vectors))


def triage_panel(user: User, finding_id: int) -> TriagePanel:
    """The triage panel alone (what a triage save shows again): no TARA is read."""
    found = finding(user, finding_id)
    return _triage(found, _can_edit(user, found.release.project))


def threats_panel(user: User, finding_id: int) -> ThreatsPanel:
    """The TARA panel alone (what linking a step shows again)."""
    found = finding(user, finding_id)
    return _threats(user, found, _can_edit(user, found.release.project))


def finding_page(user: User, finding_id: int) -> FindingPage:
    found = finding(user, finding_id)
    project = found.release.project
    ids = mapping.finding_ids(found)
    organisation_id = project.business_unit.organisation_id
    kev, epss = exploitation(
        ids,
        {r.cve: r for r in KnownExploited.objects.filter(organisation_id=organisation_id, cve__in=ids)},
        {r.cve: r for r in EpssScore.objects.filter(organisation_id=organisation_id, cve__in=ids)},
    )
    can_edit = _can_edit(user, project)
    return FindingPage(found, _triage(found, can_edit), _threats(user, found, can_edit), kev, epss)


@dataclass(frozen=True)
class AdvisoryPage:
    level: LevelObject  # the organisation, or the project whose organisation's mirror is shown
    organisation: Organisation
    page: Page[Any]
    q: str
    can_edit: bool
    sources: SourceList | None  # on the organisation's page only, with their last sync's status
    kev_count: int
    epss_count: int
    imports: list[VexImport]  # the organisation's VEX imports, on its page only
    loop_mode: str  # the organisation's rule for new findings on a TARA component
    can_set_loop: bool

    @property
    def loop_label(self) -> str:
        return str(LoopMode(self.loop_mode).label)

    @property
    def kind(self) -> str:
        return str(type(self.level).level)


def advisory_page(
    user: User, kind: Level, level_id: int, q: str = "", page_number: str | int | None = None
) -> AdvisoryPage:
    """The advisory mirror of an organisation, seen from it or from one of its projects."""
    level_obj = organisation_selectors.level(user, kind, level_id)
    if isinstance(level_obj, Project):
        organisation = Organisation.objects.get(pk=level_obj.business_unit.organisation_id)
        sources = None
    else:
        assert isinstance(level_obj, Organisation)
        organisation = level_obj
        found = advisory_sources(user, organisation_id=organisation.pk)
        sources = source_list(organisation, found, can_edit=_can_edit(user, organisation))
    return AdvisoryPage(
        level_obj,
        organisation,
        _page(advisories(organisation, q=q), page_number),
        q,
        _can_edit(user, level_obj),
        sources,
        KnownExploited.objects.filter(organisation=organisation).count(),
        EpssScore.objects.filter(organisation=organisation).count(),
        vex_imports(organisation_id=organisation.pk) if sources is not None else [],
        loop_mode(organisation.pk),
        Perm.APPROVE in permissions(user, organisation),
    )


@dataclass(frozen=True)
class BulkChoices:
    """The choices of a list's bulk triage form (vulns/_bulk_triage_actions.html)."""

    stages: tuple[tuple[str, str], ...] = tuple(Stage.choices)
    vex_statuses: tuple[tuple[str, str], ...] = tuple(VexStatus.choices)
    justifications: tuple[str, ...] = JUSTIFICATIONS
    decisions: tuple[tuple[str, str], ...] = tuple(Decision.choices[1:])


@dataclass(frozen=True)
class PortfolioPage:
    page: Page[Any]
    filters: FindingFilter
    organisations: list[tuple[int, str]]
    organisation_id: int | None
    release_count: int
    editable: frozenset[int] = frozenset()  # the projects whose findings the user may triage (tick)
    bulk: BulkChoices = BulkChoices()


def portfolio_page(
    user: User, filters: FindingFilter, organisation_id: int | None, page_number: str | int | None = None
) -> PortfolioPage:
    """Findings across every release the user may see: which releases a vulnerability affects."""
    found = portfolio_findings(user, filters, organisation_id=organisation_id)
    organisations = list(organisation_selectors.organisations(user).values_list("pk", "name"))
    release_count = found.order_by().values("release_id").distinct().count()
    editable = frozenset(organisation_selectors.projects(user, perm=Perm.EDIT).values_list("pk", flat=True))
    page = _page(found, page_number)
    return PortfolioPage(page, filters, organisations, organisation_id, release_count, editable)


def organisation_sources(user: User, organisation_id: int) -> SourceList:
    """The organisation's advisory sources with the status of their last sync (404 outside the scope)."""
    organisation = organisation_selectors.level(user, Level.ORGANISATION, organisation_id)
    assert isinstance(organisation, Organisation)
    found = advisory_sources(user, organisation_id=organisation.pk)
    return source_list(organisation, found, can_edit=_can_edit(user, organisation))


def notification_page(user: User, *, unread_only: bool, page_number: str | int | None = None) -> Page[Any]:
    """A page of the user's notifications, each with `delivery_status` (how it went out)."""
    rows = notifications(user, unread_only=unread_only).select_related("project", "release", "finding")
    page = _page(rows, page_number)
    page.object_list = list(page.object_list)
    for row in page.object_list:
        row.delivery_status = delivery_status(row)
    return page
