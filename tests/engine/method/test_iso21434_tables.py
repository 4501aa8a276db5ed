"""Every cell of the ISO/SAE 21434 default profile, against the values of the standard's annexes.

The expected values are written here from ISO/SAE 21434:2021 Annexes E-H (see docs/method.md), so a
change to the data file that departs from the standard fails a test.
"""

from __future__ import annotations

import pytest

from opencsms.engine.method import load_profile

ISO = load_profile("iso21434")

ATTACK_POTENTIAL = {  # Annex G.2 (RC-15-12)
    "elapsed_time": {"one_day": 0, "one_week": 1, "one_month": 4, "six_months": 17, "beyond_six_months": 19},
    "specialist_expertise": {"layman": 0, "proficient": 3, "expert": 6, "multiple_experts": 8},
    "knowledge_of_item": {"public": 0, "restricted": 3, "confidential": 7, "strictly_confidential": 11},
    "window_of_opportunity": {"unlimited": 0, "easy": 1, "moderate": 4, "difficult": 10},
    "equipment": {"standard": 0, "specialized": 4, "bespoke": 7, "multiple_bespoke": 9},
}
RISK_MATRIX = {  # Annex H example: impact -> (very_low, low, medium, high)
    "severe": (2, 3, 4, 5),
    "major": (1, 2, 3, 4),
    "moderate": (1, 2, 2, 3),
    "negligible": (1, 1, 1, 1),
}
CAL_ANNEX_E = {  # Annex E Table E.1 example: impact -> (physical, local, adjacent, network)
    "severe": (2, 3, 4, 4),
    "major": (1, 2, 3, 4),
    "moderate": (1, 1, 2, 3),
    "negligible": (None,) * 4,
}
FEASIBILITY = ("very_low", "low", "medium", "high")
VECTORS = ("physical", "local", "adjacent", "network")


@pytest.mark.parametrize(
    ("factor", "level", "value"),
    [(f, lv, v) for f, levels in ATTACK_POTENTIAL.items() for lv, v in levels.items()],
)
def test_attack_potential_factor_value(factor: str, level: str, value: int) -> None:
    assert ISO.factor_values[factor][level] == value


def test_attack_potential_has_exactly_the_five_factors() -> None:
    assert ISO.factor_order == tuple(ATTACK_POTENTIAL)
    assert {f: set(v) for f, v in ISO.factor_values.items()} == {
        f: set(v) for f, v in ATTACK_POTENTIAL.items()
    }


@pytest.mark.parametrize("total", range(0, 60))
def test_attack_potential_thresholds(total: int) -> None:
    expected = "high" if total <= 13 else "medium" if total <= 19 else "low" if total <= 24 else "very_low"
    assert ISO.feasibility_from_potential(total) == expected


@pytest.mark.parametrize(
    ("total", "label"),
    [
        (0, "Basic"),
        (9, "Basic"),
        (10, "Enhanced-Basic"),
        (13, "Enhanced-Basic"),
        (14, "Moderate"),
        (19, "Moderate"),
        (20, "High"),
        (24, "High"),
        (25, "Beyond High"),
        (57, "Beyond High"),
    ],
)
def test_attack_potential_iso18045_labels(total: int, label: str) -> None:
    assert ISO.potential_label(total) == label


@pytest.mark.parametrize(
    ("impact", "feasibility", "risk"),
    [(i, f, row[k]) for i, row in RISK_MATRIX.items() for k, f in enumerate(FEASIBILITY)],
)
def test_risk_matrix_cell(impact: str, feasibility: str, risk: int) -> None:
    assert ISO.risk(impact, feasibility) == (str(risk), risk)


@pytest.mark.parametrize(
    ("impact", "vector", "cal"),
    [(i, v, row[k]) for i, row in CAL_ANNEX_E.items() for k, v in enumerate(VECTORS)],
)
def test_cal_annex_e_cell(impact: str, vector: str, cal: int | None) -> None:
    assert ISO.cal_annex_e(impact, vector) == cal


@pytest.mark.parametrize(("risk", "cal"), [(1, 1), (2, 1), (3, 2), (4, 3), (5, 4)])
def test_cal_risk_based_convention(risk: int, cal: int) -> None:
    assert ISO.cal_from_risk(risk) == cal


@pytest.mark.parametrize(
    ("vector", "feasibility"),
    [("network", "high"), ("adjacent", "medium"), ("local", "low"), ("physical", "very_low")],
)
def test_attack_vector_mapping(vector: str, feasibility: str) -> None:
    assert ISO.feasibility_from_vector(vector) == feasibility


@pytest.mark.parametrize(
    ("metric", "weights"),
    [
        ("AV", {"N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2}),
        ("AC", {"L": 0.77, "H": 0.44}),
        ("PR", {"N": 0.85, "L": 0.62, "H": 0.27}),
        ("PR_scope_changed", {"N": 0.85, "L": 0.68, "H": 0.5}),
        ("UI", {"N": 0.85, "R": 0.62}),
    ],
)
def test_cvss_weights(metric: str, weights: dict[str, float]) -> None:
    assert dict(ISO.cvss_weights[metric]) == weights


@pytest.mark.parametrize(
    ("score", "feasibility"),
    [
        (3.89, "high"),
        (2.96, "high"),
        (2.95, "medium"),
        (2.0, "medium"),
        (1.99, "low"),
        (1.06, "low"),
        (1.05, "very_low"),
        (0.12, "very_low"),
    ],
)
def test_cvss_exploitability_bands(score: float, feasibility: str) -> None:
    assert ISO.feasibility_from_exploitability(score) == feasibility


def test_every_table_is_cited_and_versioned() -> None:
    src = ISO.source
    tables = [
        src.impact,
        src.feasibility.attack_potential,
        src.feasibility.cvss,
        src.feasibility.attack_vector,
        src.risk,
        src.cal.annex_e,
        src.cal.risk_based,
    ]
    for table in tables:
        assert table is not None
        assert table.urn.startswith("urn:opencsms:table:")
        assert table.version
        assert "21434" in table.cites or "vendor" in table.cites
    assert len({t.urn for t in tables if t}) == len(tables)
