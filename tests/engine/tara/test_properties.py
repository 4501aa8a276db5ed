"""Properties the method must always have, checked on random inputs (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from opencsms.engine.method import load_profile
from opencsms.engine.tara.evaluate import evaluate
from opencsms.engine.tara.feasibility import TreeRater
from opencsms.engine.tara.model import FeasibilityMethod, Gate, Node, Step
from tests.factories.tara import make_gate, make_model, make_path, make_step, make_threat

PROFILES = [load_profile(name) for name in ("iso21434", "heavens-1.0", "evita")]
ISO = PROFILES[0]
AP = FeasibilityMethod.ATTACK_POTENTIAL


def _potentials(profile_index: int) -> st.SearchStrategy[dict[str, str]]:
    profile = PROFILES[profile_index]
    return st.fixed_dictionaries(
        {f: st.sampled_from(sorted(levels)) for f, levels in profile.factor_values.items()}
    )


def _trees(profile_index: int = 0) -> st.SearchStrategy[Node]:
    steps = st.builds(lambda p: make_step("S", p), _potentials(profile_index))
    return st.recursive(
        steps,
        lambda children: st.builds(
            lambda kind, kids: make_gate(kind, *kids),
            st.sampled_from(["and", "or"]),
            st.lists(children, min_size=1, max_size=3),
        ),
        max_leaves=12,
    )


def _rank(profile_index: int, feasibility: str) -> int:
    return PROFILES[profile_index].feasibility.rank(feasibility)


@given(st.sampled_from(range(3)), st.data())
def test_higher_impact_or_feasibility_never_lowers_the_risk(profile_index: int, data: st.DataObject) -> None:
    profile = PROFILES[profile_index]
    impacts, feasibilities = profile.impact.ids, profile.feasibility.ids
    i = data.draw(st.integers(0, len(impacts) - 1))
    f = data.draw(st.integers(0, len(feasibilities) - 1))
    di = data.draw(st.integers(0, len(impacts) - 1 - i))
    df = data.draw(st.integers(0, len(feasibilities) - 1 - f))
    _, base = profile.risk(impacts[i], feasibilities[f])
    _, higher = profile.risk(impacts[i + di], feasibilities[f + df])
    assert higher >= base


@given(_trees(), _potentials(0))
def test_adding_an_and_step_never_makes_an_attack_easier(tree: Node, extra: dict[str, str]) -> None:
    rater = TreeRater(ISO, {})
    before = rater.rate(make_path(tree), AP)
    after = rater.rate(make_path(make_gate("and", tree, make_step("X", extra))), AP)
    assert after.score >= before.score
    assert _rank(0, after.feasibility) <= _rank(0, before.feasibility)


@given(_trees(), _potentials(0))
def test_adding_an_or_alternative_never_makes_an_attack_harder(tree: Node, extra: dict[str, str]) -> None:
    rater = TreeRater(ISO, {})
    before = rater.rate(make_path(tree), AP)
    after = rater.rate(make_path(make_gate("or", tree, make_step("X", extra))), AP)
    assert after.score <= before.score


@given(st.lists(_trees(), min_size=1, max_size=4))
@settings(max_examples=50)
def test_threat_feasibility_is_the_highest_of_its_paths(trees: list[Node]) -> None:
    paths = tuple(make_path(tree, f"AP-{i}") for i, tree in enumerate(trees))
    result = evaluate(make_model(make_threat("TS-1", *paths)), ISO).threats["TS-1"]
    assert result.feasibility == max((p.feasibility for p in result.paths), key=ISO.feasibility.rank)
    assert result.residual_feasibility == result.feasibility  # no residual ratings: nothing changes


@given(_trees())
def test_and_of_one_child_equals_the_child(tree: Node) -> None:
    rater = TreeRater(ISO, {})
    assert rater.rate(make_path(make_gate("and", tree)), AP) == rater.rate(make_path(tree), AP)


def _count(node: Node) -> int:
    return 1 if isinstance(node, Step) else 1 + sum(_count(c) for c in node.children)


@given(_trees(2))
def test_evita_trees_rate_on_the_evita_scale(tree: Node) -> None:
    rating = TreeRater(PROFILES[2], {}).rate(make_path(tree), AP)
    assert rating.feasibility in PROFILES[2].feasibility.ids
    assert _count(tree) >= 1
    assert isinstance(tree, Step | Gate)
