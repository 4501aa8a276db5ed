"""The format-neutral report: its sections, what they hold, and the four formats agreeing on it."""

from __future__ import annotations

import json
from io import BytesIO

import markupsafe
from openpyxl import load_workbook

from opencsms.engine import TaraResult, evaluate
from opencsms.engine.catalogue import work_products
from opencsms.engine.documents import Cell, Facts, HeatMap, Table, display
from opencsms.engine.documents.markdown import escape
from opencsms.engine.reports import Report, render
from opencsms.engine.tara_as_code import parse


def test_sections_come_in_the_order_of_the_brief(report: Report) -> None:
    wps = [wp.id for wp in work_products().work_products]
    assert [s.id for s in report.sections] == [
        "method",
        "summary",
        *wps,
        "annex5",
        "traceability",
        "findings",
    ]
    assert all(s.work_product == s.id.startswith("WP-") for s in report.sections)


def test_provenance_names_every_table_of_the_profile(result: TaraResult, report: Report) -> None:
    tables = report.section("method").table("rating-tables")
    urns = {row[1]: row for row in tables.rows}
    src = result.profile.source
    for cited in (
        src.impact,
        src.risk,
        src.cal.annex_e,
        src.cal.risk_based,
        src.feasibility.attack_potential,
    ):
        assert cited is not None
        assert urns[cited.urn][2:5] == (cited.version, cited.cites, cited.confidence)
    facts = report.section("method").blocks[0]
    assert isinstance(facts, Facts)
    values = {f.label: f.value for f in facts.facts}
    assert values["Acceptance level"] == 2
    assert values["Profile URN"] == "urn:opencsms:method:iso21434"


def test_summary_counts_risks_before_and_after(result: TaraResult, report: Report) -> None:
    distribution = report.section("summary").table("risk-distribution")
    assert {row[0]: row[1] for row in distribution.rows} == result.risk_counts()
    assert {row[0]: row[2] for row in distribution.rows} == result.risk_counts(residual=True)
    decisions = {row[0]: row[1] for row in report.section("summary").table("decisions").rows}
    assert decisions == {"avoid": 0, "reduce": 1, "share": 1, "retain": 1, "no decision": 2}  # TS-4, TS-5


def test_heat_maps_follow_the_matrix(result: TaraResult, report: Report) -> None:
    heats = [b for b in report.section("WP-15-07").blocks if isinstance(b, HeatMap)]
    assert [h.key for h in heats] == ["heatmap-initial", "heatmap-residual"]
    for heat, residual in zip(heats, (False, True), strict=True):
        assert [lv.id for lv in heat.rows.levels] == ["severe", "major", "moderate", "negligible"]
        assert [lv.id for lv in heat.columns.levels] == ["very_low", "low", "medium", "high"]
        counts = {(c.row, c.column): c.count for row in heat.cells for c in row if c.count}
        assert counts == result.heat_map(residual)
        assert all(c.value == result.profile.risk(c.row, c.column)[1] for row in heat.cells for c in row)
        assert heat.total == sum(result.heat_map(residual).values())


def test_attack_trees_keep_gates_and_depths(report: Report) -> None:
    table = report.section("WP-15-05").table("attack-trees")
    node, kind = table.column("node"), table.column("type")
    ap3 = [(d, r[kind], r[node]) for d, r in zip(table.depths, table.rows, strict=True) if r[1] == "AP-3"]
    assert ap3 == [
        (0, "PATH", "Bus flooding"),
        (1, "OR", "Flood the body CAN"),
        (2, "STEP", "Flood from an OBD dongle"),
        (2, "AND", "Flood from a tampered ECU"),
        (3, "STEP", "Open the vehicle"),
        (3, "STEP", "Reflash the BCM"),
    ]
    step = next(r for r in table.rows if r[node] == "Compromise TCU over cellular")
    assert step[table.column("rating")] == (
        "ET: <= 1 month (4)",
        "SE: Expert (6)",
        "KoI: Restricted (3)",
        "WoO: Unlimited (0)",
        "Eq: Standard (0)",
    )
    assert step[table.column("residual")] == ("ET: > 6 months (19)",)
    assert step[table.column("controls")] == ("CTL-1",)


def test_feasibility_per_path_with_scores(result: TaraResult, report: Report) -> None:
    table = report.section("WP-15-06").table("feasibility")
    rows = {r[1]: r for r in table.rows}
    assert rows["AP-1"][3:8] == ("Attack potential", 13, "Enhanced-Basic", "High", "physical")
    assert rows["AP-3"][4] == 0.91
    assert rows["AP-2"][4] is None  # rated by its vector, no score
    assert len(table.rows) == sum(len(t.paths) for t in result.threats.values())


def test_treatment_goals_claims_and_traceability(report: Report) -> None:
    treatment = report.section("WP-15-08").table("treatment")
    decision = {r[0]: (r[3], r[4], r[5], r[6], r[9]) for r in treatment.rows}
    assert decision["TS-1"] == (("reduce",), ("CG-1",), (), ("CTL-1",), True)
    assert decision["TS-2"] == (("share",), (), ("CL-1",), (), True)
    assert decision["TS-3"] == (("retain",), (), ("CL-2",), (), False)
    goals = report.section("WP-09-03").table("goals").rows
    assert goals == (("CG-1", "Headlamp commands are authentic", "", 2, 4, 4, ("TS-1",), ("CR-1",)),)
    claims = {r[0]: r[2:] for r in report.section("WP-09-04").table("claims").rows}
    assert claims == {"CL-1": (("TS-2",), ("share",)), "CL-2": (("TS-3",), ("retain",))}
    controls = report.section("WP-09-06").table("controls").rows
    assert controls[0][3:] == (("M10",), ("CR-1",), ("AP-1",))
    trace = report.section("traceability").table("traceability").rows
    assert trace[0] == (("DS-1",), "TS-1", 5, ("reduce",), (), "CG-1", 4, "CR-1", ("BCM", "HL"), 2)


def test_threat_scenarios_cite_r155_annex5(report: Report) -> None:
    annex5 = report.section("WP-15-03").table("annex5")
    assert [(r[0], r[4]) for r in annex5.rows] == [
        ("6.1", ("TS-1",)),
        ("8.1", ("TS-2",)),
        ("11.1", ("TS-1",)),
        ("18.3", ("TS-5",)),  # proposed; TS-6 (rejected) and TS-7 (merged) are left out
    ]


def test_findings_carry_rule_cites_and_line(result: TaraResult, report: Report) -> None:
    rows = report.section("findings").table("findings").rows
    assert len(rows) == len(result.findings) == 7
    assert rows[-1][:3] == ("warning", "requirement/unallocated", "CR-2")
    assert rows[-1][3] == str(result.model.locations["CR-2"][0])


def _texts(value: Cell) -> list[str]:
    if isinstance(value, tuple):
        return list(value)
    text = display(value)
    return [text] if text else []


def test_the_four_formats_say_the_same(result: TaraResult, report: Report) -> None:
    md, html = render(result, "md").decode(), render(result, "html").decode()
    data = json.dumps(json.loads(render(result, "json")), ensure_ascii=False)
    workbook = load_workbook(BytesIO(render(result, "xlsx")))
    xlsx = "\n".join(
        str(c.value) for ws in workbook.worksheets for row in ws.iter_rows() for c in row if c.value
    )
    checked = 0
    for section in report.sections:
        for block in section.blocks:
            if isinstance(block, Table):
                for cell in (c for row in block.rows for c in row):
                    raw = list(cell) if isinstance(cell, tuple) else [] if cell in (None, "") else [cell]
                    assert all(json.dumps(v, ensure_ascii=False) in data for v in raw), cell
                    for text in _texts(cell):
                        assert escape(text) in md, text
                        assert str(markupsafe.escape(text)) in html, text
                        assert text in xlsx, text
                        checked += 1
    assert checked > 500


HEAVENS = b"""
opencsms: tara/1
id: heavens-demo
name: HEAVENS demo
method: {profile: heavens-1.0, acceptance: 3}
item: {name: Door lock}
components: [{id: BCM, name: Body controller, kind: ecu}]
interfaces: [{id: BT, name: Bluetooth, kind: bluetooth, components: [BCM], external: true}]
assets: [{id: A-1, name: Unlock command, properties: [authenticity]}]
damage_scenarios: [{id: DS-1, name: Car stolen, impact: {financial: high, privacy: low}}]
threat_scenarios:
  - id: TS-1
    name: Relay attack unlocks the car
    asset: A-1
    property: authenticity
    damage_scenarios: [DS-1]
    attack_paths:
      - id: AP-1
        name: Relay
        tree: {name: Relay the key, interface: BT, attack_potential: {specialist_expertise: proficient,
               knowledge_of_item: public, window_of_opportunity: high, equipment: specialized}}
    treatment: {decision: retain, claims: [CL-1], rationale: Insurance covers it}
claims: [{id: CL-1, text: Theft is insured}]
"""


def test_other_method_profiles_render_with_their_own_scales() -> None:
    model, profile = parse(HEAVENS)
    result = evaluate(model, profile)
    data = json.loads(render(result, "json"))
    wp = next(s for s in data["sections"] if s["id"] == "WP-15-07")
    heat = next(b for b in wp["blocks"] if b["key"] == "heatmap-initial")
    assert [lv["id"] for lv in heat["impacts"]] == ["critical", "high", "medium", "low", "no_impact"]
    assert [lv["id"] for lv in heat["feasibilities"]] == ["none", "low", "medium", "high", "critical"]
    assert {(c["impact"], c["feasibility"]) for c in heat["cells"] if c["count"]} == set(result.heat_map())
    impacts = next(s for s in data["sections"] if s["id"] == "WP-15-04")["blocks"][0]["rows"]
    assert impacts[0]["category"] == "Overall"
    assert impacts[0]["criterion"] == "weighted sum of Financial: High; Privacy: Low"
    for fmt in ("html", "xlsx", "md"):
        assert render(result, fmt)
