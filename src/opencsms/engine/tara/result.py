"""What evaluating a TARA yields: ratings, risks, CAL, traceability and findings, all plain values.

The per-path, per-risk and per-threat rows are NamedTuples: immutable like frozen dataclasses, and far
cheaper to build by the hundred thousand (see docs/benchmarks.md).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

from opencsms.engine.method.profile import MethodProfile
from opencsms.engine.tara.model import FeasibilityMethod, TaraModel


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Finding:
    """A rule of the method that the model breaks (error) or should look at (warning)."""

    rule: str
    severity: Severity
    element: str
    message: str
    cites: str


class PathResult(NamedTuple):
    id: str
    method: FeasibilityMethod
    feasibility: str
    score: float
    vector: str | None
    residual_feasibility: str
    residual_score: float


class RiskCell(NamedTuple):
    """15.8 (RQ-15-16 NOTE 1): one risk value, per damage scenario and impact category."""

    damage_scenario: str
    category: str
    impact: str
    level: str
    value: int


class ThreatResult(NamedTuple):
    id: str
    paths: tuple[PathResult, ...]
    feasibility: str | None  # None: no attack path, so not rated
    vector: str | None
    impact: str | None  # the highest impact among its damage scenarios
    risks: tuple[RiskCell, ...]
    risk: int | None
    risk_level: str | None
    residual_feasibility: str | None  # None: not rated, or the risk is avoided
    residual_risk: int | None
    cal: int | None
    avoided: bool = False  # treated by avoiding the risk source (15.9): no residual risk


@dataclass(frozen=True, slots=True)
class GoalResult:
    id: str
    threats: tuple[str, ...]
    requirements: tuple[str, ...]
    determined_cal: int | None
    cal: int | None  # the declared CAL if any, else the determined one


@dataclass(frozen=True)
class TaraResult:
    model: TaraModel
    profile: MethodProfile
    impacts: Mapping[str, Mapping[str, str]]  # damage scenario -> category -> impact level
    threats: Mapping[str, ThreatResult]
    goals: Mapping[str, GoalResult]
    findings: tuple[Finding, ...]
    # each threat scenario's own findings (part of `findings`), kept so that a re-evaluation reuses them
    threat_findings: Mapping[str, tuple[Finding, ...]] = field(default_factory=dict, repr=False)

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.WARNING)

    def heat_map(
        self, residual: bool = False, only: Collection[str] | None = None
    ) -> dict[tuple[str, str], int]:
        """Threat scenarios per (impact, feasibility) cell: each at its highest impact and its feasibility;
        `only`: just these threat scenarios (the accepted ones, say).

        The risk matrix is monotone (checked when a profile loads), so that cell holds the threat's risk.
        """
        cells: dict[tuple[str, str], int] = {}
        for threat in self.threats.values():
            if only is not None and threat.id not in only:
                continue
            feasibility = threat.residual_feasibility if residual else threat.feasibility
            if threat.impact is None or feasibility is None:
                continue
            key = (threat.impact, feasibility)
            cells[key] = cells.get(key, 0) + 1
        return cells

    def risk_values(self) -> dict[tuple[str, str, str], tuple[int, int | None]]:
        """15.8 (RQ-15-16 NOTE 1): every risk value, keyed by (threat scenario, damage scenario, impact
        category), before treatment and after it (None after: the risk is avoided or not rated)."""
        values: dict[tuple[str, str, str], tuple[int, int | None]] = {}
        for threat in self.threats.values():
            after = threat.residual_feasibility
            for cell in threat.risks:
                residual = self.profile.risk(cell.impact, after)[1] if after is not None else None
                values[threat.id, cell.damage_scenario, cell.category] = (cell.value, residual)
        return values

    def risk_counts(self, residual: bool = False, only: Collection[str] | None = None) -> dict[int, int]:
        """Threat scenarios per risk value (1-5); `only`: just these threat scenarios."""
        counts = dict.fromkeys(range(1, 6), 0)
        for threat in self.threats.values():
            if only is not None and threat.id not in only:
                continue
            value = threat.residual_risk if residual else threat.risk
            if value is not None:
                counts[value] += 1
        return counts
