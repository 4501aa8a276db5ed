"""Golden files for the SBOM and advisory parsers: real inputs (tests/golden/vulns/SOURCES.md) and the
normalised values we read from them. Refresh with `pytest --update-golden` and review the diff."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from opencsms.engine.advisories import parse_advisories
from opencsms.engine.sbom import parse_sbom
from tests.golden_files import compare_golden
from tests.paths import GOLDEN

INPUTS = GOLDEN / "vulns" / "inputs"
SBOMS = sorted(p.name for p in INPUTS.iterdir() if p.name.startswith(("cyclonedx", "spdx")))
ADVISORIES = sorted(p.name for p in INPUTS.iterdir() if p.name.startswith(("osv", "nvd", "cve5", "csaf")))


def _dump(value: object) -> bytes:
    return (json.dumps(value, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode()


def _expected(name: str) -> Path:
    return GOLDEN / "vulns" / f"{Path(name).stem}.expected.json"


@pytest.mark.parametrize("name", SBOMS)
def test_sbom_parser_golden(name: str, update_golden: bool) -> None:
    sbom = parse_sbom((INPUTS / name).read_bytes(), name)
    assert sbom.components or sbom.vex
    compare_golden(_expected(name), _dump(asdict(sbom)), update_golden)


@pytest.mark.parametrize("name", ADVISORIES)
def test_advisory_parser_golden(name: str, update_golden: bool) -> None:
    advisories = parse_advisories((INPUTS / name).read_bytes(), name)
    assert advisories
    compare_golden(_expected(name), _dump([asdict(a) for a in advisories]), update_golden)


def test_golden_inputs_are_all_covered() -> None:
    assert len(SBOMS) == 5
    assert len(ADVISORIES) == 6
