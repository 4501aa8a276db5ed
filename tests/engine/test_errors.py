"""The one wording of engine refusals: located problems, a limit for one-line messages, the rest counted."""

from __future__ import annotations

from opencsms.engine.errors import SHOWN_PROBLEMS, ParseError, Problem, RuleViolation, summary


def _problems(n: int) -> list[Problem]:
    return [Problem("reference", f"R-{i} is not defined", "t.yaml", i + 1, 3) for i in range(n)]


def test_a_problem_names_its_place_and_rule() -> None:
    assert str(Problem("yaml-syntax", "bad", "t.yaml", 4, 1)) == "t.yaml:4:1: yaml-syntax: bad"
    assert str(Problem("reference", "gone", "Connected EV")) == "Connected EV: reference: gone"
    assert str(Problem("not-an-sbom", "no")) == "<input>: not-an-sbom: no"


def test_summary_names_at_most_the_limit_and_counts_the_rest() -> None:
    problems = _problems(SHOWN_PROBLEMS + 3)
    text = summary(problems)
    assert text.count("reference") == SHOWN_PROBLEMS
    assert text.startswith("t.yaml:1:3: reference: R-0 is not defined; t.yaml:2:3: ")
    assert text.endswith("; and 3 more")
    assert (
        summary(problems[:2])
        == "t.yaml:1:3: reference: R-0 is not defined; t.yaml:2:3: reference: R-1 is not defined"
    )
    assert summary(problems, limit=None, separator="\n").count("\n") == SHOWN_PROBLEMS + 2


def test_describe_is_the_problems_of_a_parse_error_and_the_text_of_other_refusals() -> None:
    error = ParseError(_problems(12))
    assert error.describe() == summary(error.problems)
    assert error.describe(limit=None, separator="\n") == str(error)
    assert RuleViolation("no asset X").describe() == "no asset X"
