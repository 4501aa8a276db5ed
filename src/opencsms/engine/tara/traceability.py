"""The traceability matrix of a TARA: asset -> damage scenario -> threat scenario -> goal or claim ->
requirement -> control (ISO/SAE 21434:2021 15.3-15.9, 9.4 RQ-09-05/06, 9.5 RQ-09-08..10), with its gaps.

Each row is one chain through the model, cut short where a link is missing; a cut where the chain should
go on is a gap (an asset with no damage scenario, a damage scenario with no threat scenario, a threat
scenario with no goal or claim, a goal with no requirement, a requirement with no control). A claim ends
its chain (a retained or shared risk needs no requirement). Elements no chain reaches get rows of their
own, with the gap that leaves them out. Only threat scenarios in the analysis are traced (rejected,
merged and obsolete ones are not). The model holds no verification results, so the matrix has no
verification column. The links come from `references.REFERENCES`.
"""

from __future__ import annotations

from dataclasses import dataclass

from opencsms.engine.tara import model as m
from opencsms.engine.tara.references import ReferenceIndex, references

COLUMNS: tuple[tuple[str, str], ...] = (
    ("asset", "Asset"),
    ("damage_scenario", "Damage scenario"),
    ("threat_scenario", "Threat scenario"),
    ("goal_or_claim", "Goal or claim"),
    ("requirement", "Requirement"),
    ("control", "Control"),
)
_WORDS = {
    "assets": "asset",
    "damage_scenarios": "damage scenario",
    "threat_scenarios": "threat scenario",
    "goals": "goal",
    "claims": "claim",
    "requirements": "requirement",
    "controls": "control",
}


@dataclass(frozen=True)
class TraceCell:
    kind: str  # the element's list, e.g. `goals`
    ref: str
    name: str


@dataclass(frozen=True)
class Gap:
    """Element `ref` of list `kind` lacks the link of column `missing`; `message` says so."""

    kind: str
    ref: str
    missing: str
    message: str


@dataclass(frozen=True)
class TraceRow:
    cells: tuple[TraceCell | None, ...]  # one per column of `COLUMNS`
    gap: Gap | None = None


@dataclass(frozen=True)
class Traceability:
    tara: str
    name: str
    rows: tuple[TraceRow, ...]
    gaps: tuple[Gap, ...]  # each gap once, in the order of the rows


class _Walk:
    def __init__(self, model: m.TaraModel) -> None:
        self.index: ReferenceIndex = references(model)
        self.model = model
        self.threats = [t for t in model.threat_scenarios if t.in_analysis]
        self.goals = {g.id for g in model.goals}
        self.targeting: dict[str, list[m.ThreatScenario]] = {}  # asset -> the threat scenarios on it
        for threat in self.threats:
            self.targeting.setdefault(threat.asset, []).append(threat)
        self.refined: dict[str, list[m.Requirement]] = {}  # goal -> the requirements naming it
        for requirement in model.requirements:
            for goal in dict.fromkeys(requirement.goals):
                self.refined.setdefault(goal, []).append(requirement)
        self.rows: list[TraceRow] = []
        self.reached: set[tuple[str, str]] = set()

    def cell(self, kind: str, ref: str) -> TraceCell:
        self.reached.add((kind, ref))
        return TraceCell(kind, ref, self.index.name(kind, ref))

    def row(
        self, cells: list[TraceCell | None], gap: tuple[str, str, str] | None = None, what: str = ""
    ) -> None:
        """A row of `cells`; `gap`: (list, id, missing column), `what` the missing link's name if not the
        column's title."""
        found = None
        if gap is not None:
            kind, ref, missing = gap
            what = what or dict(COLUMNS)[missing].lower()
            found = Gap(kind, ref, missing, f"{_WORDS[kind]} {ref} has no {what}")
        self.rows.append(TraceRow(tuple(cells + [None] * (len(COLUMNS) - len(cells))), found))

    def assets(self) -> None:
        for asset in self.model.assets:
            mine = self.targeting.get(asset.id, [])
            damage = [d for ids in asset.damage.values() for d in ids]
            damage += [d for t in mine for d in t.damage_scenarios]
            damage = [d for d in dict.fromkeys(damage) if d in self.index.ids["damage_scenarios"]]
            head = self.cell("assets", asset.id)
            if not damage and not mine:
                self.row([head], ("assets", asset.id, "damage_scenario"))
            for ds in damage:
                threats = [t for t in mine if ds in t.damage_scenarios]
                if not threats:
                    cells: list[TraceCell | None] = [head, self.cell("damage_scenarios", ds)]
                    gap = ("damage_scenarios", ds, "threat_scenario")
                    self.row(cells, gap, f"threat scenario on asset {asset.id}")
                for threat in threats:
                    self.treatment([head, self.cell("damage_scenarios", ds)], threat)
            for threat in mine:
                if not threat.damage_scenarios:
                    self.row(
                        [head, None, self.cell("threat_scenarios", threat.id)],
                        ("threat_scenarios", threat.id, "damage_scenario"),
                    )

    def treatment(self, cells: list[TraceCell | None], threat: m.ThreatScenario) -> None:
        cells = [*cells, self.cell("threat_scenarios", threat.id)]
        decision = threat.treatment
        goals = [g for g in (decision.goals if decision else ()) if g in self.goals]
        claims = [c for c in (decision.claims if decision else ()) if c in self.index.ids["claims"]]
        if not goals and not claims:
            self.row(cells, ("threat_scenarios", threat.id, "goal_or_claim"))
        for goal in goals:
            self.goal([*cells, self.cell("goals", goal)], goal)
        for claim in claims:
            self.row([*cells, self.cell("claims", claim)])

    def goal(self, cells: list[TraceCell | None], goal: str) -> None:
        refined = self.refined.get(goal, [])
        if not refined:
            self.row(cells, ("goals", goal, "requirement"))
        for requirement in refined:
            self.requirement([*cells, self.cell("requirements", requirement.id)], requirement)

    def requirement(self, cells: list[TraceCell | None], requirement: m.Requirement) -> None:
        if not requirement.controls:
            self.row(cells, ("requirements", requirement.id, "control"))
        for control in requirement.controls:
            self.row([*cells, self.cell("controls", control)])

    def unreached(self) -> None:
        """Rows of their own for the damage scenarios, goals and claims no chain reached, each with the
        link that is missing."""
        pad: list[TraceCell | None] = [None, None, None]
        for ds in self.model.damage_scenarios:
            if ("damage_scenarios", ds.id) not in self.reached:
                self.row(
                    [None, self.cell("damage_scenarios", ds.id)],
                    ("damage_scenarios", ds.id, "threat_scenario"),
                )
        for goal in self.model.goals:
            if ("goals", goal.id) not in self.reached:
                self.row([*pad, self.cell("goals", goal.id)], ("goals", goal.id, "threat_scenario"))
                self.goal([*pad, self.cell("goals", goal.id)], goal.id)  # its requirements, or that gap
        for claim in self.model.claims:
            if ("claims", claim.id) not in self.reached:
                self.row([*pad, self.cell("claims", claim.id)], ("claims", claim.id, "threat_scenario"))

    def unrefined(self) -> None:
        """Rows for the requirements and controls no chain reached (after `unreached`)."""
        pad: list[TraceCell | None] = [None, None, None, None]
        for requirement in self.model.requirements:
            if ("requirements", requirement.id) not in self.reached:
                cells: list[TraceCell | None] = [*pad, self.cell("requirements", requirement.id)]
                self.row(cells, ("requirements", requirement.id, "goal_or_claim"), "goal")
                self.requirement(cells, requirement)
        for control in self.model.controls:
            if ("controls", control.id) not in self.reached:
                self.row(
                    [*pad, None, self.cell("controls", control.id)],
                    ("controls", control.id, "requirement"),
                )


def traceability(model: m.TaraModel) -> Traceability:
    """The matrix of `model` with its gaps (see the module's docstring)."""
    walk = _Walk(model)
    walk.assets()
    walk.unreached()
    walk.unrefined()
    gaps = tuple(dict.fromkeys(row.gap for row in walk.rows if row.gap is not None))
    return Traceability(model.id, model.name, tuple(walk.rows), gaps)
