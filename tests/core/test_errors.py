"""Engine refusals become `Invalid` in one place, with one wording (pages, API and server commands)."""

from __future__ import annotations

from opencsms.core.errors import Invalid, from_engine
from opencsms.engine.errors import CatalogueError, ParseError, Problem


def test_from_engine_says_what_failed_then_the_engines_words() -> None:
    problems = [Problem("yaml-syntax", f"line {i}", "bad.yaml", i, 1) for i in range(1, 13)]
    error = from_engine(ParseError(problems), "the file is not a valid TARA")
    assert isinstance(error, Invalid)
    assert error.detail.startswith("the file is not a valid TARA: bad.yaml:1:1: yaml-syntax: line 1; ")
    assert error.detail.endswith("; and 2 more")
    assert (
        from_engine(CatalogueError("rules.yaml: duplicate rule id")).detail == "rules.yaml: duplicate rule id"
    )
