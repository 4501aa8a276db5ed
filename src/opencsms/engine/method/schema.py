"""The shape of a method profile file (src/opencsms/data/methods/*.yaml), validated with pydantic."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

ISO_IMPACT = ("negligible", "moderate", "major", "severe")
ISO_FEASIBILITY = ("very_low", "low", "medium", "high")
# The attack vectors (CVSS v3.1 AV; ISO/SAE 21434 G.4), most exposed first: the engine's one list of them
# (the vocabulary catalogue's `attack_vectors` must name exactly these, `catalogue.schema.Vocabulary`).
VECTORS = ("network", "adjacent", "local", "physical")
if TYPE_CHECKING:
    Vector = str
else:
    Vector = Literal[VECTORS]  # pydantic accepts only these, and a JSON Schema lists them


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Cited(_Strict):
    urn: str = Field(pattern=r"^urn:opencsms:table:[a-z0-9:.\-]+$")
    version: str
    cites: str
    confidence: Literal["high", "medium-high", "medium", "low-medium", "low"]


class Level(_Strict):
    id: str = Field(pattern=r"^[A-Za-z0-9_]+$")
    label: str
    maps_to: str


class Weighted(_Strict):
    id: str = Field(pattern=r"^[A-Za-z0-9_]+$")
    label: str
    value: int | None


class Band(_Strict):
    min: float
    max: float | None = None
    label: str = ""
    level: str = ""
    feasibility: str = ""


class ImpactTable(Cited):
    aggregation: Literal["per_category", "weighted_sum"]
    categories: list[Literal["safety", "financial", "operational", "privacy"]]
    levels: list[Level]
    weights: dict[str, list[Weighted]] = {}
    bands: list[Band] = []
    criteria: dict[str, dict[str, str]] = {}


class AttackPotentialTable(Cited):
    factors: dict[str, list[Weighted]]
    thresholds: list[Band]


class CvssTable(Cited):
    weights: dict[Literal["AV", "AC", "PR", "PR_scope_changed", "UI"], dict[str, float]]
    bands: list[Band]


class AttackVectorTable(Cited):
    mapping: dict[Vector, str]


class FeasibilityTables(_Strict):
    levels: list[Level]
    attack_potential: AttackPotentialTable | None = None
    cvss: CvssTable | None = None
    attack_vector: AttackVectorTable | None = None


class RiskLevel(_Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)
    id: str
    value: int = Field(ge=1, le=5)


class RiskTable(Cited):
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)
    levels: list[RiskLevel]
    matrix: dict[str, dict[str, str]]


class CalAnnexE(Cited):
    matrix: dict[str, dict[str, int | None]]


class CalRiskBased(Cited):
    mapping: dict[int, int]


class CalTables(_Strict):
    annex_e: CalAnnexE
    risk_based: CalRiskBased


class ProfileFile(_Strict):
    urn: str = Field(pattern=r"^urn:opencsms:method:[a-z0-9.\-]+$")
    version: str
    name: str
    cites: str
    impact: ImpactTable
    feasibility: FeasibilityTables
    risk: RiskTable
    cal: CalTables
