"""HEAVENS 1.0 and EVITA profiles: their native tables, and their mapping onto ISO/SAE 21434 scales."""

from __future__ import annotations

import pytest

from opencsms.engine.method import load_profile

HEAVENS = load_profile("heavens-1.0")
EVITA = load_profile("evita")

SECURITY_LEVEL = {  # HEAVENS 1.0: threat level -> (no_impact, low, medium, high, critical) impact level
    "none": ("QM", "QM", "QM", "QM", "Low"),
    "low": ("QM", "Low", "Low", "Low", "Medium"),
    "medium": ("QM", "Low", "Medium", "Medium", "High"),
    "high": ("QM", "Low", "Medium", "High", "High"),
    "critical": ("Low", "Medium", "High", "High", "Critical"),
}
IMPACT_LEVELS = ("no_impact", "low", "medium", "high", "critical")


@pytest.mark.parametrize(
    ("threat_level", "impact_level", "sl"),
    [(t, i, row[k]) for t, row in SECURITY_LEVEL.items() for k, i in enumerate(IMPACT_LEVELS)],
)
def test_heavens_security_level_matrix(threat_level: str, impact_level: str, sl: str) -> None:
    level, value = HEAVENS.risk(impact_level, threat_level)
    assert level == sl
    assert value == {"QM": 1, "Low": 2, "Medium": 3, "High": 4, "Critical": 5}[sl]


@pytest.mark.parametrize(
    ("total", "threat_level"),
    [
        (0, "critical"),
        (1, "critical"),
        (2, "high"),
        (3, "high"),
        (4, "medium"),
        (6, "medium"),
        (7, "low"),
        (9, "low"),
        (10, "none"),
        (12, "none"),
    ],
)
def test_heavens_threat_level_bands(total: int, threat_level: str) -> None:
    assert HEAVENS.feasibility_from_potential(total) == threat_level


@pytest.mark.parametrize(
    ("ratings", "impact_level"),
    [
        ({"safety": "none", "financial": "none", "operational": "none", "privacy": "none"}, "no_impact"),
        ({"operational": "low"}, "low"),
        ({"safety": "light", "operational": "medium"}, "medium"),  # 10 + 10 = 20
        ({"financial": "low", "operational": "medium", "privacy": "low"}, "medium"),  # 21
        ({"safety": "severe"}, "high"),  # 100
        ({"operational": "high", "privacy": "high"}, "high"),  # 200
        ({"safety": "fatal"}, "critical"),  # 1000
        ({"financial": "medium", "operational": "high", "privacy": "high"}, "high"),  # 300
    ],
)
def test_heavens_impact_level_is_the_band_of_the_weighted_sum(
    ratings: dict[str, str], impact_level: str
) -> None:
    assert HEAVENS.impact_from_weights(ratings) == impact_level


def test_heavens_rates_by_threat_level_only() -> None:
    assert HEAVENS.methods == ("attack_potential",)
    assert HEAVENS.categories == ("overall",)
    assert "elapsed_time" not in HEAVENS.factor_values


@pytest.mark.parametrize("severity", range(5))
@pytest.mark.parametrize("probability", range(1, 6))
def test_evita_risk_graph_is_s_plus_a_minus_3(severity: int, probability: int) -> None:
    level, _ = EVITA.risk(f"s{severity}", f"a{probability}")
    expected = 0 if severity == 0 else max(0, severity + probability - 3)
    assert level == f"R{expected}"


@pytest.mark.parametrize(
    ("total", "probability"),
    [
        (0, "a5"),
        (9, "a5"),
        (10, "a4"),
        (13, "a4"),
        (14, "a3"),
        (19, "a3"),
        (20, "a2"),
        (24, "a2"),
        (25, "a1"),
        (10**9, "a1"),
    ],
)
def test_evita_attack_probability_bands(total: int, probability: str) -> None:
    assert EVITA.feasibility_from_potential(total) == probability


def test_evita_knows_three_months_and_not_practical() -> None:
    assert EVITA.factor_values["elapsed_time"]["three_months"] == 10
    assert EVITA.feasibility_from_potential(EVITA.factor_values["elapsed_time"]["not_practical"]) == "a1"


@pytest.mark.parametrize("profile", [HEAVENS, EVITA])
def test_native_levels_map_monotonically_onto_iso(profile: object) -> None:
    iso_impact = ("negligible", "moderate", "major", "severe")
    iso_feasibility = ("very_low", "low", "medium", "high")
    for scale, iso in ((profile.impact, iso_impact), (profile.feasibility, iso_feasibility)):  # type: ignore[attr-defined]
        ranks = [iso.index(scale.maps_to[level]) for level in scale.ids]
        assert ranks == sorted(ranks)
        assert ranks[0] == 0
        assert ranks[-1] == len(iso) - 1
