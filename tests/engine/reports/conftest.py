"""Fixtures of the report tests: the small golden TARA, evaluated, and a golden-file comparison."""

from __future__ import annotations

import pytest

from opencsms.engine import TaraResult, evaluate
from opencsms.engine.reports import Report, build_report
from opencsms.engine.tara_as_code import load_file
from tests.paths import GOLDEN as GOLDEN_ROOT

GOLDEN = GOLDEN_ROOT / "reports"
SMALL = GOLDEN / "small.tara.yaml"


@pytest.fixture(scope="session")
def result() -> TaraResult:
    model, profile = load_file(SMALL)
    return evaluate(model, profile)


@pytest.fixture(scope="session")
def report(result: TaraResult) -> Report:
    return build_report(result)
