"""The reference model (examples/connected-ev.tara.yaml): what the issue asks of it, and golden output."""

from __future__ import annotations

from collections import Counter
from io import BytesIO

import openpyxl
import pytest

from opencsms.engine import TaraResult, evaluate
from opencsms.engine.reports import render
from opencsms.engine.tara.check_render import render_check
from opencsms.engine.tara.feasibility import iter_steps
from opencsms.engine.tara.model import Gate, TaraModel
from opencsms.engine.tara_as_code import load_file
from tests.golden_files import compare_golden
from tests.paths import GOLDEN, REFERENCE

MODEL = REFERENCE
COMMON_INTERFACES = {
    "can",
    "can_fd",
    "lin",
    "flexray",
    "automotive_ethernet",
    "bluetooth",
    "wifi",
    "cellular",
    "v2x",
    "gnss",
    "usb",
    "obd",
    "charging",
    "debug",
}


@pytest.fixture(scope="module")
def result() -> TaraResult:
    model, profile = load_file(MODEL)
    return evaluate(model, profile)


@pytest.fixture(scope="module")
def model(result: TaraResult) -> TaraModel:
    return result.model


def test_it_is_a_connected_ev_with_twelve_or_more_ecus(model: TaraModel) -> None:
    ecus = [c for c in model.components if c.kind in ("ecu", "gateway")]
    assert len(ecus) >= 12
    names = " ".join(c.name.lower() for c in ecus)
    for word in (
        "gateway",
        "telematics",
        "infotainment",
        "adas",
        "battery",
        "charging",
        "body",
        "headlamp",
        "keyless",
    ):
        assert word in names, word
    assert {i.kind for i in model.interfaces} >= COMMON_INTERFACES


def test_it_has_the_elements_of_a_full_tara(model: TaraModel) -> None:
    assert len(model.assets) >= 40
    assert len(model.damage_scenarios) >= 20
    assert len(model.threat_scenarios) >= 40
    categories = Counter(c for ds in model.damage_scenarios for c in ds.impact)
    assert set(categories) == {"safety", "financial", "operational", "privacy"}
    gates = [p.tree for t in model.threat_scenarios for p in t.attack_paths if isinstance(p.tree, Gate)]
    assert {g.kind for g in gates} == {"and", "or"}
    assert len(gates) >= 15
    assert min(len(model.goals), len(model.claims), len(model.controls), len(model.requirements)) >= 4


def test_feasibility_is_rated_by_each_of_the_three_methods(result: TaraResult) -> None:
    methods = Counter(str(p.method) for t in result.threats.values() for p in t.paths)
    assert set(methods) == {"attack_potential", "cvss", "attack_vector"}
    steps = [s for t in result.model.threat_scenarios for p in t.attack_paths for s in iter_steps(p.tree)]
    assert sum(1 for s in steps if s.rating.cvss) >= 10
    assert sum(1 for s in steps if s.residual) >= 20


def test_every_treatment_option_and_every_cal_occurs(result: TaraResult) -> None:
    options = {str(o) for t in result.model.threat_scenarios if t.treatment for o in t.treatment.options}
    assert options == {"avoid", "reduce", "share", "retain"}
    assert {g.cal for g in result.goals.values()} >= {2, 4}
    assert all(t.treatment for t in result.model.threat_scenarios)


def test_it_is_clean_and_treatment_lowers_the_risk(result: TaraResult) -> None:
    assert result.findings == ()
    before, after = result.risk_counts(), result.risk_counts(residual=True)
    assert before[5] > 0
    assert before[4] > 0
    assert after[5] == 0
    assert sum(k * v for k, v in after.items()) < sum(k * v for k, v in before.items())


@pytest.mark.golden
def test_check_output_matches_golden(result: TaraResult, update_golden: bool) -> None:
    text = render_check(result, {}, "text").replace(str(MODEL), "examples/connected-ev.tara.yaml")
    compare_golden(GOLDEN / "tara" / "connected-ev.check.txt", text.encode(), update_golden)


@pytest.mark.golden
def test_markdown_report_matches_golden(result: TaraResult, update_golden: bool) -> None:
    compare_golden(GOLDEN / "tara" / "connected-ev.report.md", render(result, "md"), update_golden)


def test_workbook_holds_one_sheet_per_work_product_and_the_risks(result: TaraResult) -> None:
    workbook = openpyxl.load_workbook(BytesIO(render(result, "xlsx")))
    for wp in (
        "WP-09-01",
        "WP-15-01",
        "WP-15-02",
        "WP-15-03",
        "WP-15-04",
        "WP-15-05",
        "WP-15-06",
        "WP-15-07",
        "WP-15-08",
    ):
        assert any(name.startswith(wp) for name in workbook.sheetnames), wp
    sheet = workbook["WP-15-07 Risk values"]
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if row[0] == "Threat scenario")
    risk_column = rows[header].index("Risk")
    table = rows[header + 1 : header + 1 + len(result.threats)]
    found = {row[0]: row[risk_column] for row in table}
    assert found == {t: r.risk for t, r in result.threats.items()}
