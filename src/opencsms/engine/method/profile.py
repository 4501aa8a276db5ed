"""A method profile as the engine uses it: ordered scales and fast lookups, checked for consistency.

ISO/SAE 21434:2021 15.1 lets an organisation use its own scales if they are mapped onto the standard's;
every native level here carries `maps_to`, and `check_profile` refuses a mapping that is not monotone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from opencsms.engine.errors import CatalogueError
from opencsms.engine.method.schema import (
    ISO_FEASIBILITY,
    ISO_IMPACT,
    VECTORS,
    Band,
    Level,
    ProfileFile,
)

INFINITE = 10**9  # attack potential of a step that is "not practical"


@dataclass(frozen=True)
class Scale:
    """An ordered scale of native levels, lowest first, each mapped onto the ISO/SAE 21434 scale."""

    ids: tuple[str, ...]
    labels: Mapping[str, str]
    maps_to: Mapping[str, str]

    def rank(self, level: str) -> int:
        return self.ids.index(level)

    def highest(self, levels: list[str]) -> str:
        return max(levels, key=self.ids.index)


@dataclass(frozen=True)
class MethodProfile:
    """Rating tables of one method, resolved from a profile file (see `load_profile`)."""

    source: ProfileFile
    impact: Scale
    feasibility: Scale
    risk_values: Mapping[str, int]
    factor_order: tuple[str, ...]
    factor_values: Mapping[str, Mapping[str, int]]
    cvss_weights: Mapping[str, Mapping[str, float]]
    risk_cells: Mapping[tuple[str, str], tuple[str, int]]  # (impact, feasibility) -> (level, value)
    potential_feasibility: tuple[str, ...]  # attack-potential sum -> feasibility, for small sums

    @property
    def urn(self) -> str:
        return self.source.urn

    @property
    def categories(self) -> tuple[str, ...]:
        if self.source.impact.aggregation == "weighted_sum":
            return ("overall",)
        return tuple(self.source.impact.categories)

    @property
    def methods(self) -> tuple[str, ...]:
        tables = self.source.feasibility
        names = ("attack_potential", "cvss", "attack_vector")
        return tuple(n for n in names if getattr(tables, n) is not None)

    def feasibility_from_potential(self, total: int) -> str:
        """Annex G.2: the sum of the factor values falls in exactly one band."""
        if total < len(self.potential_feasibility):
            return self.potential_feasibility[total]
        table = self.source.feasibility.attack_potential
        assert table is not None
        return _band(table.thresholds, total).feasibility

    def potential_label(self, total: int) -> str:
        table = self.source.feasibility.attack_potential
        assert table is not None
        return _band(table.thresholds, total).label

    def feasibility_from_exploitability(self, score: float) -> str:
        """Annex G.3: CVSS exploitability sub-score bands."""
        table = self.source.feasibility.cvss
        assert table is not None
        return _band(table.bands, score).feasibility

    def feasibility_from_vector(self, vector: str) -> str:
        """Annex G.4: the predominant attack vector of the path."""
        table = self.source.feasibility.attack_vector
        assert table is not None
        return table.mapping[vector]

    def impact_from_weights(self, ratings: Mapping[str, str]) -> str:
        """HEAVENS-style impact: the sum of the category weights falls in one band."""
        table = self.source.impact
        total = sum(
            next(w.value or 0 for w in table.weights[category] if w.id == level)
            for category, level in ratings.items()
        )
        return _band(table.bands, total).level

    def risk(self, impact: str, feasibility: str) -> tuple[str, int]:
        """15.8: the risk matrix cell for (impact, feasibility): native level and value 1..5."""
        return self.risk_cells[impact, feasibility]

    def cal_annex_e(self, impact: str, vector: str) -> int | None:
        """Annex E: CAL from the impact (mapped onto the ISO scale) and the attack vector."""
        iso_impact = self.impact.maps_to[impact]
        return self.source.cal.annex_e.matrix[iso_impact][vector]

    def cal_from_risk(self, risk_value: int) -> int:
        return self.source.cal.risk_based.mapping[risk_value]


def _band(bands: list[Band], value: float) -> Band:
    """The band holding `value`: of those whose range admits it, the one starting highest."""
    holding = [b for b in bands if value >= b.min and (b.max is None or value <= b.max)]
    if not holding:
        raise CatalogueError(f"no band holds the value {value}")
    return max(holding, key=lambda b: b.min)


def _scale(levels: list[Level], iso: tuple[str, ...], what: str) -> Scale:
    ids = tuple(level.id for level in levels)
    if len(set(ids)) != len(ids):
        raise CatalogueError(f"{what}: duplicate level ids in {ids}")
    ranks = []
    for level in levels:
        if level.maps_to not in iso:
            raise CatalogueError(f"{what}: level {level.id!r} maps to {level.maps_to!r}, not one of {iso}")
        ranks.append(iso.index(level.maps_to))
    if ranks != sorted(ranks):
        raise CatalogueError(f"{what}: the mapping onto the ISO/SAE 21434 scale must not go down")
    return Scale(ids, {lv.id: lv.label for lv in levels}, {lv.id: lv.maps_to for lv in levels})


def _check_bands(
    bands: list[Band], allowed: tuple[str, ...], attr: str, what: str, *, contiguous: bool
) -> None:
    """Integer bands must tile 0..infinity without gap or overlap; every band names a known level."""
    ordered = sorted(bands, key=lambda b: b.min)
    if not ordered or ordered[0].min != 0:
        raise CatalogueError(f"{what}: the bands must start at 0")
    if contiguous:
        for low, high in pairwise(ordered):
            if low.max is None or high.min != low.max + 1:
                raise CatalogueError(
                    f"{what}: bands {low.min}..{low.max} and {high.min}.. leave a gap or overlap"
                )
        if ordered[-1].max is not None:
            raise CatalogueError(f"{what}: the highest band must be open-ended")
    for band in bands:
        if getattr(band, attr) not in allowed:
            raise CatalogueError(
                f"{what}: band {band.min} names {getattr(band, attr)!r}, not one of {allowed}"
            )


def _check_matrix(
    rows: Mapping[str, Mapping[str, Any]],
    rows_ids: tuple[str, ...],
    column_ids: tuple[str, ...],
    what: str,
) -> None:
    if set(rows) != set(rows_ids):
        raise CatalogueError(f"{what}: rows {sorted(rows)} must be exactly {list(rows_ids)}")
    for row, cells in rows.items():
        if set(cells) != set(column_ids):
            raise CatalogueError(f"{what}: row {row!r} must have exactly the columns {list(column_ids)}")


def _check_monotone(
    source: ProfileFile, impact: Scale, feasibility: Scale, values: Mapping[str, int]
) -> None:
    """A higher impact or a higher feasibility never lowers the risk (each cell >= its lower neighbours)."""

    def value(i: int, j: int) -> int:
        return values[source.risk.matrix[impact.ids[i]][feasibility.ids[j]]]

    for i, j in ((i, j) for i in range(len(impact.ids)) for j in range(len(feasibility.ids))):
        if (i and value(i, j) < value(i - 1, j)) or (j and value(i, j) < value(i, j - 1)):
            raise CatalogueError(
                f"risk matrix: ({impact.ids[i]}, {feasibility.ids[j]}) is below a lower neighbour; "
                "a higher impact or feasibility must never lower the risk"
            )


def _check_impact_and_risk(source: ProfileFile, impact: Scale, feasibility: Scale) -> dict[str, int]:
    if source.impact.aggregation == "weighted_sum":
        _check_bands(source.impact.bands, impact.ids, "level", "impact bands", contiguous=True)
        if set(source.impact.weights) != set(source.impact.categories):
            raise CatalogueError("impact: weighted_sum needs weights for exactly the listed categories")
    risk_values = {level.id: level.value for level in source.risk.levels}
    _check_matrix(source.risk.matrix, impact.ids, feasibility.ids, "risk matrix")
    for row in source.risk.matrix.values():
        for cell in row.values():
            if cell not in risk_values:
                raise CatalogueError(f"risk matrix: cell {cell!r} is not a risk level {sorted(risk_values)}")
    _check_monotone(source, impact, feasibility, risk_values)
    _check_matrix(source.cal.annex_e.matrix, ISO_IMPACT, VECTORS, "CAL table")
    return risk_values


def _check_feasibility(source: ProfileFile, feasibility: Scale) -> dict[str, dict[str, int]]:
    """Check the three Annex G tables that are present; return the attack-potential factor values."""
    tables = source.feasibility
    factor_values: dict[str, dict[str, int]] = {}
    if tables.attack_potential is not None:
        thresholds = tables.attack_potential.thresholds
        _check_bands(thresholds, feasibility.ids, "feasibility", "attack potential", contiguous=True)
        for factor, levels in tables.attack_potential.factors.items():
            factor_values[factor] = {lv.id: INFINITE if lv.value is None else lv.value for lv in levels}
    if tables.cvss is not None:
        _check_bands(tables.cvss.bands, feasibility.ids, "feasibility", "CVSS bands", contiguous=False)
    if tables.attack_vector is not None:
        mapping = {str(k): v for k, v in tables.attack_vector.mapping.items()}
        _check_matrix({"mapping": mapping}, ("mapping",), VECTORS, "attack vector")
        for level in tables.attack_vector.mapping.values():
            if level not in feasibility.ids:
                raise CatalogueError(f"attack vector: {level!r} is not a feasibility level")
    return factor_values


def build_profile(source: ProfileFile) -> MethodProfile:
    """Resolve and check a validated profile file; raise `CatalogueError` on any inconsistency."""
    impact = _scale(source.impact.levels, ISO_IMPACT, "impact")
    feasibility = _scale(source.feasibility.levels, ISO_FEASIBILITY, "feasibility")
    risk_values = _check_impact_and_risk(source, impact, feasibility)
    factor_values = _check_feasibility(source, feasibility)
    tables = source.feasibility
    potential: tuple[str, ...] = ()
    if tables.attack_potential is not None:
        thresholds = tables.attack_potential.thresholds
        potential = tuple(_band(thresholds, total).feasibility for total in range(128))
    cells = {
        (i, f): (cell, risk_values[cell]) for i, row in source.risk.matrix.items() for f, cell in row.items()
    }
    return MethodProfile(
        source=source,
        impact=impact,
        feasibility=feasibility,
        risk_values=risk_values,
        factor_order=tuple(factor_values),
        factor_values=factor_values,
        cvss_weights={str(k): v for k, v in tables.cvss.weights.items()} if tables.cvss else {},
        risk_cells=cells,
        potential_feasibility=potential,
    )
