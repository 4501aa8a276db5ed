"""Any input yields a model or a ParseError naming the problem, never another exception (fuzzed)."""

from __future__ import annotations

from importlib import resources

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opencsms.engine.errors import ParseError, Problem
from opencsms.engine.tara_as_code import parse

STARTER = (resources.files("opencsms.engine.tara_as_code") / "starter.tara.yaml").read_bytes()


def _problems(raw: bytes) -> list[Problem] | None:
    """None when the input is a valid TARA; its problems when it is refused; anything else propagates."""
    try:
        parse(raw, "fuzz.yaml")
    except ParseError as exc:
        return exc.problems
    return None


def _parses_or_refuses(raw: bytes) -> None:
    problems = _problems(raw)
    if problems is not None:
        assert problems
        assert all(p.rule and p.message and p.file == "fuzz.yaml" for p in problems)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_random_bytes(raw: bytes) -> None:
    _parses_or_refuses(raw)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(STARTER) - 1), st.binary(min_size=0, max_size=8)), max_size=6))
def test_mutated_starter(edits: list[tuple[int, bytes]]) -> None:
    raw = bytearray(STARTER)
    for position, replacement in edits:
        raw[position : position + len(replacement)] = replacement
    _parses_or_refuses(bytes(raw))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=10),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
        max_leaves=20,
    )
)
def test_random_documents_in_a_tara_envelope(value: object) -> None:
    import yaml

    document = {
        "opencsms": "tara/1",
        "id": "x",
        "name": "x",
        "item": {"name": "x"},
        "threat_scenarios": value,
    }
    _parses_or_refuses(yaml.safe_dump(document).encode())
