"""Attack-tree aggregation (AND/OR) for the three Annex G approaches, residual ratings and vectors."""

from __future__ import annotations

import pytest

from opencsms.engine.method import load_profile
from opencsms.engine.tara.feasibility import TreeRater, exploitability
from opencsms.engine.tara.model import Cvss, FeasibilityMethod, Rating
from tests.factories.tara import EASY, HARD, make_gate, make_path, make_step

ISO = load_profile("iso21434")
RATER = TreeRater(ISO, {"IF-CELL": "network", "IF-CAN": "physical", "IF-BT": "adjacent"})
AP, CVSS, AV = FeasibilityMethod.ATTACK_POTENTIAL, FeasibilityMethod.CVSS, FeasibilityMethod.ATTACK_VECTOR


@pytest.mark.parametrize(
    ("metrics", "score"),
    [
        (Cvss("N", "L", "N", "N"), 3.89),
        (Cvss("N", "H", "N", "N"), 2.22),
        (Cvss("A", "L", "N", "N"), 2.84),
        (Cvss("L", "L", "L", "N"), 1.83),
        (Cvss("P", "L", "N", "N"), 0.91),
        (Cvss("P", "H", "H", "R"), 0.12),
        (Cvss("N", "L", "L", "N", scope_changed=True), 3.11),
        (Cvss("N", "L", "H", "N", scope_changed=True), 2.29),
    ],
)
def test_cvss_exploitability_sub_score(metrics: Cvss, score: float) -> None:
    path = make_path(make_step(cvss=metrics))
    assert RATER.rate(path, CVSS).score == score
    assert exploitability(RATER._weights(metrics)) == score


def test_attack_potential_sum_of_one_step() -> None:
    step = make_step(
        potential={
            "elapsed_time": "one_month",
            "specialist_expertise": "expert",
            "knowledge_of_item": "restricted",
            "window_of_opportunity": "easy",
            "equipment": "specialized",
        }
    )
    rating = RATER.rate(make_path(step), AP)
    assert (rating.score, rating.feasibility) == (4 + 6 + 3 + 1 + 4, "medium")


def test_and_takes_the_most_demanding_value_of_each_factor() -> None:
    remote = make_step("S-1", {**EASY, "specialist_expertise": "expert", "elapsed_time": "one_month"})
    local = make_step("S-2", {**EASY, "equipment": "specialized", "elapsed_time": "one_week"})
    rating = RATER.rate(make_path(make_gate("and", remote, local)), AP)
    assert rating.score == 4 + 6 + 0 + 0 + 4  # max per factor, not the sum of the steps' sums


def test_or_takes_the_easiest_child() -> None:
    rating = RATER.rate(make_path(make_gate("or", make_step("S-1", HARD), make_step("S-2", EASY))), AP)
    assert (rating.score, rating.feasibility) == (0, "high")


def test_nested_tree() -> None:
    inner = make_gate(
        "or", make_step("S-1", HARD), make_step("S-2", {**EASY, "knowledge_of_item": "confidential"})
    )
    tree = make_gate("and", inner, make_step("S-3", {**EASY, "window_of_opportunity": "moderate"}))
    assert RATER.rate(make_path(tree), AP).score == 7 + 4


def test_cvss_and_or() -> None:
    network = make_step("S-1", cvss=Cvss("N", "L", "N", "N"))
    physical = make_step("S-2", cvss=Cvss("P", "L", "N", "N"))
    assert RATER.rate(make_path(make_gate("and", network, physical)), CVSS).score == 0.91
    assert RATER.rate(make_path(make_gate("or", network, physical)), CVSS).score == 3.89


@pytest.mark.parametrize(
    ("kind", "vector", "feasibility"), [("and", "physical", "very_low"), ("or", "network", "high")]
)
def test_attack_vector_through_gates(kind: str, vector: str, feasibility: str) -> None:
    tree = make_gate(kind, make_step("S-1", interface="IF-CELL"), make_step("S-2", interface="IF-CAN"))
    rating = RATER.rate(make_path(tree), AV)
    assert (rating.vector, rating.feasibility) == (vector, feasibility)


def test_explicit_vector_beats_the_interface_kind() -> None:
    step = make_step(interface="IF-CAN", vector="network")
    assert RATER.rate(make_path(step), AV).feasibility == "high"


def test_step_without_any_vector_leaves_the_path_vector_unknown() -> None:
    tree = make_gate("and", make_step("S-1", interface="IF-CELL"), make_step("S-2"))
    assert RATER.rate(make_path(tree), AP).vector is None
    with pytest.raises(ValueError, match="no attack vector"):
        RATER.rate(make_path(tree), AV)


def test_residual_factors_override_one_by_one() -> None:
    residual = Rating(attack_potential={"equipment": "bespoke"})
    path = make_path(make_step(potential=dict(EASY), residual=residual))
    assert RATER.rate(path, AP).score == 0
    assert RATER.rate(path, AP, residual=True).score == 7


def test_residual_cvss_replaces_the_metrics() -> None:
    residual = Rating(cvss=Cvss("N", "H", "H", "R"))
    path = make_path(make_step(cvss=Cvss("N", "L", "N", "N"), residual=residual))
    assert RATER.rate(path, CVSS, residual=True).feasibility == "very_low"
