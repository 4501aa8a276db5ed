"""CSAF 2.0 conformance (issue 5, item 8): CISA's real advisories and the OASIS examples parse, and the
OASIS validator test documents are judged as their names say for every mandatory test we implement."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from opencsms.engine.advisories import parse_advisories
from opencsms.engine.advisories.csaf import csaf_vex
from opencsms.engine.advisories.csaf_checks import IMPLEMENTED, mandatory_problems
from opencsms.engine.safeinput import load_json
from tests.conformance.shared import SHARED, files_under, shared

VALIDATOR = SHARED / "advisories" / "csaf-oasis" / "csaf_2.0" / "test" / "validator" / "data"
# Mandatory tests that check things the matcher does not read (revision history and document status,
# translations, CWE names, language tags, category names): documented in docs/vulnerabilities.md.
NOT_IMPLEMENTED = {
    "6.1.11",
    "6.1.12",
    "6.1.14",
    "6.1.15",
    "6.1.16",
    "6.1.17",
    "6.1.18",
    "6.1.19",
    "6.1.20",
    "6.1.21",
    "6.1.22",
    "6.1.26",
    "6.1.28",
}


def _cases() -> list[tuple[str, str, str, bool]]:
    index = VALIDATOR / "testcases.json"
    if not index.exists():
        return []
    cases = []
    for test in json.loads(index.read_text())["tests"]:
        for case in test.get("failures", []) + test.get("valid", []):
            cases.append((test["id"], test["group"], case["name"], case["valid"]))
    return cases


CASES = _cases()
EXAMPLES = files_under("advisories", "csaf-oasis", "csaf_2.0", "examples", "csaf", suffixes=(".json",))


def test_every_cisa_advisory_parses() -> None:
    files = [p for p in shared("advisories", "csaf-cisa").rglob("*.json") if "-feed-" not in p.name]
    assert len(files) >= 1270
    advisories, problems = 0, []
    for path in files:
        document = load_json(path.read_bytes(), str(path))
        found = parse_advisories(path.read_bytes(), str(path))
        advisories += len(found)
        assert all(a.source == "CSAF" and a.id for a in found), path
        problems += [f"{path.name}: {p}" for p in mandatory_problems(document)]
    assert advisories > 3400
    assert problems == []


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_oasis_examples_parse_and_pass(path: Path) -> None:
    raw = path.read_bytes()
    document: dict[str, Any] = load_json(raw, path.name)
    advisories = parse_advisories(raw, path.name)
    assert advisories or document["document"]["category"] == "csaf_informational_advisory"
    assert mandatory_problems(document) == []
    if document["document"]["category"] == "csaf_vex":
        assert csaf_vex(document, path.name), "a VEX example yields VEX statements"


def test_the_validator_suite_is_there_and_every_test_is_accounted_for() -> None:
    shared("advisories", "csaf-oasis", "csaf_2.0", "test", "validator", "data", "testcases.json")
    mandatory = {test_id for test_id, group, _, _ in CASES if group == "mandatory"}
    assert mandatory == IMPLEMENTED | NOT_IMPLEMENTED
    assert not IMPLEMENTED & NOT_IMPLEMENTED


@pytest.mark.parametrize(
    ("test_id", "group", "name", "valid"), CASES, ids=lambda v: str(v).rsplit("/", 1)[-1]
)
def test_validator_documents_are_judged_as_named(test_id: str, group: str, name: str, valid: bool) -> None:
    raw = (VALIDATOR / name).read_bytes()
    document = load_json(raw, name)
    parse_advisories(raw, name)  # every test document is still readable CSAF
    if group != "mandatory" or test_id not in IMPLEMENTED:
        return  # optional and informative tests are advice, not validity; not-implemented ones: see above
    judged = {problem_id for problem_id, _ in mandatory_problems(document)}
    assert (test_id not in judged) is valid, mandatory_problems(document)
