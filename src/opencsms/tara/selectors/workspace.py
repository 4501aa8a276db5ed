"""What the element pages show: a page of one list, one element with its attack trees (each path's
feasibility from the engine), the user's rights on the TARA and the method profile's levels for selects.

Lists never load the elements' data (`defer`) and never query per row: a page of 50 threat scenarios out
of 20,000 costs the same handful of queries as a page of one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from opencsms.core.models import ChangeRecord, User
from opencsms.engine import MethodProfile, load_profile
from opencsms.engine.catalogue import vocabulary
from opencsms.engine.labels import labels, words
from opencsms.engine.method.schema import VECTORS
from opencsms.engine.reports.tree_pictures import threat_tree_svgs
from opencsms.engine.tara.model import ReviewStatus, Treatment
from opencsms.engine.tara_as_code.trees import gate_of
from opencsms.organisation.access import Perm, permissions
from opencsms.tara.models import Element, Kind, State, Tara
from opencsms.tara.selectors.choices import CreateChoices, create_choices
from opencsms.tara.selectors.documents import ElementFilter, element, elements, evaluated, tara
from opencsms.tara.selectors.traceability import ElementReferences, element_references

PAGE_SIZE = 50
STRIDE = vocabulary().ids("stride")
LIST_FIELDS = ("properties", "damage_scenarios", "mitigations", "goals", "controls", "components", "claims")
# The common fields each kind's edit form shows (everything else: "edit as YAML").
FIELDS: dict[str, tuple[str, ...]] = {
    Kind.COMPONENT: ("name", "description"),
    Kind.INTERFACE: ("name", "description"),
    Kind.DATA_FLOW: ("data",),
    Kind.ASSET: ("name", "description", "properties"),
    Kind.DAMAGE_SCENARIO: ("name", "description", "rationale"),
    Kind.THREAT_SCENARIO: ("name", "description", "status", "rationale", "stride", "damage_scenarios"),
    Kind.GOAL: ("name", "description"),
    Kind.CLAIM: ("text",),
    Kind.CONTROL: ("name", "description", "mitigations"),
    Kind.REQUIREMENT: ("text", "goals", "controls", "components"),
    Kind.NOT_APPLICABLE: ("rationale",),
}
# The fields a bulk edit of a list can set (the same value making sense for every element of it).
BULK_FIELDS: dict[str, tuple[str, ...]] = {Kind.THREAT_SCENARIO: ("status", "decision", "rationale")}
FIELD_WORDS = {"stride": "STRIDE"}  # a field whose name is not its label in words
# The derived columns each list shows (the others are empty for that kind).
COLUMNS: dict[str, tuple[str, ...]] = {
    Kind.THREAT_SCENARIO: ("feasibility", "impact", "risk", "residual_risk", "cal", "status"),
    Kind.DAMAGE_SCENARIO: ("impact",),
    Kind.GOAL: ("cal",),
}


@dataclass(frozen=True)
class Access:
    """What the user may do on a TARA; `editable` adds that its state allows a change now."""

    state: str
    perms: frozenset[Perm]

    @property
    def can_edit(self) -> bool:
        return Perm.EDIT in self.perms

    @property
    def draft(self) -> bool:
        return self.state == State.DRAFT

    @property
    def in_review(self) -> bool:
        return self.state == State.IN_REVIEW

    @property
    def editable(self) -> bool:
        return self.can_edit and not self.in_review

    @property
    def can_review(self) -> bool:
        return Perm.REVIEW in self.perms

    @property
    def can_approve(self) -> bool:
        return Perm.APPROVE in self.perms

    @property
    def can_baseline(self) -> bool:
        return bool(self.perms & {Perm.EDIT, Perm.REVIEW})


def access(user: User, tara_obj: Tara) -> Access:
    return Access(tara_obj.state, permissions(user, tara_obj.project))


@dataclass(frozen=True)
class Levels:
    """The method profile's levels as (id, label) choices for the forms' selects."""

    impact: list[tuple[str, str]]
    categories: tuple[str, ...]
    feasibility: list[tuple[str, str]]
    factors: list[tuple[str, str, list[tuple[str, str]]]]  # name, label, (id, label) choices
    vectors: tuple[str, ...] = VECTORS
    stride: tuple[str, ...] = STRIDE
    statuses: tuple[str, ...] = tuple(ReviewStatus)
    decisions: tuple[str, ...] = tuple(Treatment)


def profile_of(tara_obj: Tara) -> MethodProfile:
    method = tara_obj.header.get("method") or {}
    return load_profile(str(method.get("profile", "iso21434")))


def label_table(tara_obj: Tara) -> dict[str, str]:
    """The labels of the values the TARA's pages show, with its method profile's levels (engine.labels)."""
    method = tara_obj.header.get("method") or {}
    return labels(str(method.get("profile", "iso21434")))


def levels(tara_obj: Tara) -> Levels:
    profile = profile_of(tara_obj)
    table = profile.source.feasibility.attack_potential
    factors = table.factors if table else {}
    return Levels(
        impact=[(level, profile.impact.labels[level]) for level in profile.impact.ids],
        categories=profile.categories,
        feasibility=[(level, profile.feasibility.labels[level]) for level in profile.feasibility.ids],
        factors=[
            (name, words(name), [(lv.id, lv.label) for lv in factors.get(name, [])])
            for name in profile.factor_order
        ],
    )


@dataclass(frozen=True)
class ElementList:
    tara: Tara
    kind: Kind
    page: Page[Element]
    filters: ElementFilter
    access: Access
    columns: tuple[str, ...]
    statuses: list[str]
    assets: list[tuple[str, str]]  # the asset filter's choices; empty when typed (many assets)
    asset_filter: bool = False
    kinds: list[tuple[str, str]] = field(default_factory=lambda: list(Kind.choices))
    labels: dict[str, str] = field(default_factory=dict)
    create: CreateChoices | None = None  # the structured "new element" form's choices (choices.py)
    bulk: tuple[str, ...] = ()  # the fields the user may set in bulk here (none: no tick boxes)
    levels: Levels | None = None  # the bulk edit's choices (statuses, decisions)


MAX_ASSET_CHOICES = 200  # more assets than this: the filter is a text field (a page stays small)


def element_rows(tara_obj: Tara, kind: Kind, filters: ElementFilter) -> QuerySet[Element]:
    return elements(tara_obj, kind, filters).defer("data")


def statuses(tara_obj: Tara) -> dict[str, list[str]]:
    """Per list, the statuses its rows have, sorted (the status filter's choices): one query. The services
    store it in the TARA's summary after every change."""
    pairs = Element.objects.filter(tara=tara_obj).exclude(status="").order_by()
    found: dict[str, list[str]] = {}
    for kind, status in sorted(pairs.values_list("kind", "status").distinct()):
        found.setdefault(kind, []).append(status)
    return found


def _statuses(tara_obj: Tara, kind: Kind) -> list[str]:
    """The statuses in a list, for its filter: stored by the last change (read now for older TARAs)."""
    kept = tara_obj.summary.get("statuses")
    return list((statuses(tara_obj) if kept is None else kept).get(kind, []))


def element_list(
    user: User, tara_id: int, kind: Kind, filters: ElementFilter, page_number: str | int | None
) -> ElementList:
    """One page (50 rows) of a list of a TARA, filtered and sorted in the database."""
    tara_obj = tara(user, tara_id)
    page = Paginator(element_rows(tara_obj, kind, filters), PAGE_SIZE).get_page(page_number)
    statuses = _statuses(tara_obj, kind)
    rights = access(user, tara_obj)
    assets: list[tuple[str, str]] = []
    if kind == Kind.THREAT_SCENARIO:  # a list of choices up to MAX_ASSET_CHOICES, else a typed asset id
        choices = Element.objects.filter(tara=tara_obj, kind=Kind.ASSET).order_by("position")
        assets = list(choices.values_list("ref", "label")[: MAX_ASSET_CHOICES + 1])
        assets = assets if len(assets) <= MAX_ASSET_CHOICES else []
    return ElementList(
        tara_obj,
        kind,
        page,
        filters,
        rights,
        COLUMNS.get(kind, ()),
        statuses,
        assets,
        asset_filter=kind == Kind.THREAT_SCENARIO,
        labels=label_table(tara_obj),
        create=_create(tara_obj, kind) if rights.editable else None,
        bulk=BULK_FIELDS.get(kind, ()) if rights.editable else (),
        levels=levels(tara_obj) if rights.editable and kind in BULK_FIELDS else None,
    )


def _create(tara_obj: Tara, kind: Kind) -> CreateChoices | None:
    lv = levels(tara_obj)
    return create_choices(tara_obj, kind, lv.categories, lv.impact)


@dataclass
class Node:
    """One node of an attack tree as shown: a gate with children or a step with its rating."""

    address: str
    name: str
    gate: str | None
    data: dict[str, Any]
    index: int = 0
    last: bool = True
    children: list[Node] = field(default_factory=list)
    factors: list[tuple[str, str, str, list[tuple[str, str]]]] = field(default_factory=list)  # +current

    @property
    def parent(self) -> str:
        return self.address.rpartition(".")[0]

    @property
    def potential(self) -> dict[str, str]:
        found = self.data.get("attack_potential") or {}
        return dict(found) if isinstance(found, dict) else {}


@dataclass(frozen=True)
class PathView:
    id: str
    name: str
    method: str
    feasibility: str
    residual_feasibility: str
    score: float
    tree: Node
    gates: list[tuple[str, str]]  # (address, name) of every gate: the targets of "move to"
    svg: str = ""  # the tree's picture; each node links to its row (`tree-<path>-node-<address>`)


def _node(data: dict[str, Any], address: str, gates: list[tuple[str, str]], lv: Levels) -> Node:
    gate = gate_of(data)
    node = Node(address, str(data.get("name", "")), gate, data)
    if gate is None:
        node.factors = [(n, label, node.potential.get(n, ""), options) for n, label, options in lv.factors]
        return node
    gates.append((address, node.name))
    children = data.get(gate) or []
    for index, child in enumerate(children):
        kid = _node(child, f"{address}.{index}" if address else str(index), gates, lv)
        kid.index, kid.last = index, index == len(children) - 1
        node.children.append(kid)
    return node


def _paths(tara_obj: Tara, found: Element, lv: Levels) -> list[PathView]:
    if found.kind != Kind.THREAT_SCENARIO:
        return []
    evaluation = evaluated(tara_obj)
    result = evaluation.threats.get(found.ref)
    rated = {p.id: p for p in result.paths} if result else {}
    link = "#tree-{path}-node-{key}"  # each node's row in the editor (templates/tara/_tree_node.html)
    svgs = threat_tree_svgs(evaluation, found.ref, label_table(tara_obj), link=link)
    views = []
    for path in found.data.get("attack_paths") or []:
        gates: list[tuple[str, str]] = []
        tree = _node(path.get("tree") or {}, "", gates, lv)
        r = rated.get(str(path.get("id")))
        views.append(
            PathView(
                str(path.get("id")),
                str(path.get("name", "")),
                str(r.method) if r else "",
                r.feasibility if r else "",
                r.residual_feasibility if r else "",
                r.score if r else 0.0,
                tree,
                gates,
                svgs.get(str(path.get("id")), ""),
            )
        )
    return views


@dataclass(frozen=True)
class ElementDetail:
    tara: Tara
    kind: Kind
    element: Element
    access: Access
    levels: Levels
    paths: list[PathView]
    yaml: str
    columns: tuple[str, ...]
    fields: list[tuple[str, str, str]]  # the kind's common fields: name, label, current text
    impact: list[tuple[str, str, str, list[tuple[str, str]]]]  # category, label, level, choices
    treatment: dict[str, Any]
    kinds: list[tuple[str, str]] = field(default_factory=lambda: list(Kind.choices))
    list_fields: tuple[str, ...] = LIST_FIELDS
    labels: dict[str, str] = field(default_factory=dict)
    last_change: ChangeRecord | None = None  # the newest record of its history: what "Undo" reverses
    references: ElementReferences | None = None  # what it refers to, what refers to it


def _text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _treatment(data: dict[str, Any]) -> dict[str, Any]:
    """The treatment as the form shows it: texts, and `decisions` (one or more options, 15.9)."""
    found = data.get("treatment") or {}
    if not isinstance(found, dict):
        return {}
    decision = found.get("decision")
    return {key: _text(found.get(key)) for key in ("rationale", "goals", "claims")} | {
        "decisions": [str(d) for d in decision] if isinstance(decision, list) else [_text(decision)]
    }


def element_detail(user: User, tara_id: int, kind: Kind, ref: str) -> ElementDetail:
    """One element with what its editor needs (a threat scenario: its attack paths, each with the
    feasibility the engine gives it, which costs one evaluation of the TARA)."""
    tara_obj = tara(user, tara_id)
    found, lv = element(tara_obj, kind, ref), levels(tara_obj)
    data = found.data
    impact = data.get("impact") if isinstance(data.get("impact"), dict) else {}
    return ElementDetail(
        tara_obj,
        kind,
        found,
        access(user, tara_obj),
        lv,
        _paths(tara_obj, found, lv),
        yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100),
        COLUMNS.get(kind, ()),
        [(name, FIELD_WORDS.get(name) or words(name), _text(data.get(name))) for name in FIELDS[kind]],
        [(c, words(c), str(impact.get(c, "")), lv.impact) for c in lv.categories]
        if kind == Kind.DAMAGE_SCENARIO
        else [],
        _treatment(data),
        labels=label_table(tara_obj),
        last_change=last_change(found),
        references=element_references(tara_obj, kind, ref),
    )


def last_change(found: Element) -> ChangeRecord | None:
    """The element's newest audited change (one query)."""
    records = ChangeRecord.objects.filter(object_type="tara.element", object_id=str(found.pk))
    return records.order_by("-seq").first()
