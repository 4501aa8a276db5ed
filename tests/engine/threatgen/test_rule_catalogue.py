"""Every rule of the shipped catalogue (threat-rules/automotive.yaml) on a small architecture built in code:
it fires where it should, with the expected id, property, STRIDE class, Annex 5 threats, mitigations and
name, on each interface kind it names, and it does not fire when one of its criteria is missing or when
the asset's component is outside the item. The cases are in rule_cases*.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from opencsms.engine.threatgen import load_rules
from tests.engine.threatgen.builders import arch, proposals
from tests.engine.threatgen.rule_cases import CASES_VEHICLE, Case, wrong_property
from tests.engine.threatgen.rule_cases_data import CASES_DATA

CASES = CASES_VEHICLE + CASES_DATA
OUT = {"in_scope": False}
BY_RULE = {case.rule: case for case in CASES}
MISSES = [
    (c.rule, label, change)
    for c in CASES
    for label, change in {"property": wrong_property(c.prop), "out of scope": OUT, **c.misses}.items()
]
KINDS = [(c.rule, kind) for c in CASES for kind in c.kinds]


def test_every_shipped_rule_has_a_case() -> None:
    assert set(BY_RULE) == set(load_rules().ids)
    assert len(CASES) == len(BY_RULE) == 42


def test_every_case_names_exactly_the_interface_kinds_of_its_rule() -> None:
    for rule in load_rules().rules:
        wanted = rule.match.interface.kinds if rule.match.interface else []
        assert sorted(BY_RULE[rule.id].kinds) == sorted(wanted), rule.id


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.rule)
def test_rule_fires_with_its_threat(case: Case) -> None:
    [proposal] = proposals(arch(**case.kwargs()), case.rule)
    assert proposal.id == case.expected_id
    assert (proposal.property, proposal.stride, proposal.annex5) == (case.prop, case.stride, case.annex5)
    assert proposal.mitigations == case.mitigations
    assert proposal.name == case.name
    assert proposal.asset == "A-1"
    assert proposal.interface == ("IF-X" if case.kinds else None)
    assert case.mitigations  # every shipped rule suggests Annex 5 mitigations


@pytest.mark.parametrize(("rule", "kind"), KINDS, ids=[f"{r}-{k}" for r, k in KINDS])
def test_rule_accepts_each_of_its_interface_kinds(rule: str, kind: str) -> None:
    assert [p.interface for p in proposals(arch(**BY_RULE[rule].kwargs(kind)), rule)] == ["IF-X"]


@pytest.mark.parametrize(("rule", "label", "change"), MISSES, ids=[f"{r}-{label}" for r, label, _ in MISSES])
def test_rule_does_not_fire_when_a_criterion_is_missing(
    rule: str, label: str, change: dict[str, Any]
) -> None:
    case = BY_RULE[rule]
    assert proposals(arch(**case.kwargs()), rule), "the case itself must fire"
    assert proposals(arch(**{**case.kwargs(), **change}), rule) == [], label
