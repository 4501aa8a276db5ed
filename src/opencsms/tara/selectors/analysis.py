"""What the analysis pages show: the architecture picture, threat generation (what the rules would change
and the generated threat scenarios to decide on), attack paths with their pictures, and UN R155 Annex 5
coverage. Each is computed by the engine from the stored document, at the time of reading.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.urls import reverse

from opencsms.core.errors import Invalid, from_engine
from opencsms.core.models import User
from opencsms.engine import RuleViolation, TaraResult
from opencsms.engine.catalogue import annex5
from opencsms.engine.labels import label
from opencsms.engine.reports.path_pictures import AssetPathPictures, architecture_svg, asset_path_pictures
from opencsms.engine.tara.coverage import THREAT_STATES, Annex5Coverage, ThreatCoverage, annex5_coverage
from opencsms.engine.tara.model import ReviewStatus
from opencsms.engine.threatgen import (
    Duplicate,
    GenerationPlan,
    RuleSet,
    likely_duplicates,
    plan_generation,
    propose,
)
from opencsms.tara.models import Element, Kind, Tara
from opencsms.tara.selectors.documents import evaluated, tara
from opencsms.tara.selectors.rules import rule_set
from opencsms.tara.selectors.workspace import PAGE_SIZE, Access, access

MAX_K = 10
# What a generated threat scenario can be: its review status, or obsolete (its rule no longer matches).
GENERATED_STATES = (*ReviewStatus, "obsolete")
ANNEX5_STATES = THREAT_STATES


@dataclass(frozen=True)
class Analysis:
    """What every analysis page shares: the TARA, the user's rights and the tabs."""

    tara: Tara
    access: Access
    kinds: list[tuple[str, str]] = field(default_factory=lambda: list(Kind.choices))


def _analysis(user: User, tara_id: int) -> Analysis:
    found = tara(user, tara_id)
    return Analysis(found, access(user, found))


@dataclass(frozen=True)
class ArchitecturePage:
    analysis: Analysis
    svg: str
    entries: list[tuple[str, str, str, tuple[str, ...]]]  # external interfaces: id, name, kind, components
    counts: list[tuple[str, int]]


def architecture_page(user: User, tara_id: int) -> ArchitecturePage:
    """The architecture (ISO/SAE 21434 9.3, WP-09-01) drawn from the document: components, buses and
    the external entry points, laid out by distance from the entry points."""
    base = _analysis(user, tara_id)
    result = evaluated(base.tara)
    model = result.model
    entries = [(x.id, x.name, x.kind, x.components) for x in model.interfaces if x.external]
    counts = [
        ("Components", len(model.components)),
        ("Interfaces", len(model.interfaces)),
        ("External entry points", len(entries)),
        ("Data flows", len(model.data_flows)),
    ]
    return ArchitecturePage(base, architecture_svg(result, _element_links(base.tara)), entries, counts)


def _element_links(tara_obj: Tara) -> tuple[tuple[str, str], ...]:
    """Where the architecture's nodes link: a component to its page, an entry point or a bus to its
    interface's page."""
    component, interface = (
        reverse("tara:element", args=[tara_obj.pk, kind, "0"])[:-2] + "{ident}/"
        for kind in (Kind.COMPONENT, Kind.INTERFACE)
    )
    return (("component", component), ("entry", interface), ("bus", interface))


def generation_plan(tara_obj: Tara, rules: RuleSet | None = None) -> GenerationPlan:
    """What generating now would change (nothing is written): proposals to add, generated threat
    scenarios whose rule no longer matches, obsolete ones that match again."""
    rules = rules or rule_set(tara_obj)
    model = evaluated(tara_obj).model
    return plan_generation(model, propose(model, rules), rules.ids)


def generated_threats(tara_obj: Tara, state: str = "", q: str = "") -> QuerySet[Element]:
    """The TARA's generated threat scenarios (those with provenance), in document order; `state` is a
    review status or `obsolete`, `q` a part of the id or the name."""
    if state and state not in GENERATED_STATES:
        raise Invalid(f"state {state!r}: use one of {', '.join(GENERATED_STATES)}")
    found = Element.objects.filter(tara=tara_obj, kind=Kind.THREAT_SCENARIO, data__has_key="generated")
    if state == "obsolete":
        found = found.filter(data__generated__obsolete=True)
    elif state:  # not obsolete: the key absent (a JSON null never matches an exclude) or false
        current = Q(data__generated__obsolete__isnull=True) | Q(data__generated__obsolete=False)
        found = found.filter(current, status=state)
    if q:
        found = found.filter(Q(ref__icontains=q) | Q(label__icontains=q))
    return found.order_by("position")


@dataclass(frozen=True)
class GenerationPage:
    analysis: Analysis
    rules: RuleSet
    plan: GenerationPlan
    page: Page[Element]
    state: str
    q: str
    counts: list[tuple[str, int]]  # per GENERATED_STATES, over all generated threat scenarios
    duplicates: dict[str, Duplicate] = field(default_factory=dict)  # proposal id -> the likely original


def _counts(tara_obj: Tara) -> list[tuple[str, int]]:
    found = generated_threats(tara_obj).values_list("status", "data__generated__obsolete")
    counted = Counter("obsolete" if obsolete else status for status, obsolete in found)
    return [(state, counted.get(state, 0)) for state in GENERATED_STATES]


def generation_page(
    user: User, tara_id: int, state: str, q: str, page_number: str | int | None
) -> GenerationPage:
    base = _analysis(user, tara_id)
    rules = rule_set(base.tara)
    page = Paginator(generated_threats(base.tara, state, q), PAGE_SIZE).get_page(page_number)
    plan = generation_plan(base.tara, rules)
    duplicates = likely_duplicates(evaluated(base.tara).model)
    page.object_list = rows = list(page.object_list)
    for row in rows:  # each shown proposal with its likely original, for the page
        row.duplicate = duplicates.get(row.ref)
    return GenerationPage(base, rules, plan, page, state, q, _counts(base.tara), duplicates)


@dataclass(frozen=True)
class PathsPage:
    analysis: Analysis
    assets: list[tuple[str, str]]  # id, name: the choices
    asset: str
    k: int
    residual: bool
    found: AssetPathPictures | None


def asset_paths(
    tara_obj: Tara, asset: str | None, k: int, *, residual: bool = False, drawn: bool = True
) -> list[AssetPathPictures]:
    """The k best attack paths to an asset (or to every asset), rated and, when `drawn`, with their
    pictures (ISO/SAE 21434 15.6, Annex G.2)."""
    if not 1 <= k <= MAX_K:
        raise Invalid(f"k must be between 1 and {MAX_K}")
    result: TaraResult = evaluated(tara_obj)
    try:
        return asset_path_pictures(result, asset, k, residual=residual, drawn=drawn)
    except RuleViolation as error:
        raise from_engine(error) from None


def paths_page(user: User, tara_id: int, asset: str, k: int, residual: bool) -> PathsPage:
    base = _analysis(user, tara_id)
    choices = Element.objects.filter(tara=base.tara, kind=Kind.ASSET, data__has_key="component")
    choices = choices.order_by("position")  # assets on a component: the ones a path can reach
    assets = list(choices.values_list("ref", "label"))
    chosen = asset or (assets[0][0] if assets else "")
    found = asset_paths(base.tara, chosen, k, residual=residual)[0] if chosen else None
    return PathsPage(base, assets, chosen, k, residual, found)


@dataclass(frozen=True)
class CoveragePage:
    analysis: Analysis
    coverage: Annex5Coverage
    state: str

    @property
    def threats(self) -> list[ThreatCoverage]:
        found = self.coverage.threats
        return [t for t in found if not self.state or t.status == self.state]

    @property
    def groups(self) -> list[tuple[str, str, list[ThreatCoverage]]]:
        """The shown threats under their Annex 5 group: (group heading, category heading, threats)."""
        catalogue = annex5()
        categories = {c.id: f"{c.id} {c.title}" for c in catalogue.categories}
        group_of = {t.id: t.group for t in catalogue.threats}
        by_group: dict[str, list[ThreatCoverage]] = {}
        for threat in self.threats:
            by_group.setdefault(group_of[threat.id], []).append(threat)
        return [
            (f"{g.id} {g.summary}", categories.get(g.category, g.category), by_group[g.id])
            for g in catalogue.groups
            if g.id in by_group
        ]

    @property
    def counts(self) -> list[tuple[str, str, int]]:
        """(state, its label, how many required Part A threats are in it)."""
        return [(state, label(state), self.coverage.count(state)) for state in ANNEX5_STATES]


def coverage(tara_obj: Tara) -> Annex5Coverage:
    """UN R155 Annex 5 Part A threats against the TARA's threat scenarios (7.3.3) and Part B/C
    mitigations against its controls (7.3.4)."""
    return annex5_coverage(evaluated(tara_obj).model)


def coverage_page(user: User, tara_id: int, state: str) -> CoveragePage:
    if state and state not in ANNEX5_STATES:
        raise Invalid(f"state {state!r}: use one of {', '.join(ANNEX5_STATES)}")
    base = _analysis(user, tara_id)
    return CoveragePage(base, coverage(base.tara), state)
