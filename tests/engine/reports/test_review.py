"""The review of threat scenarios in WP-15-03: proposed, rejected (with rationale), merged (into) and
obsolete ones with their generating rule; only threat scenarios in the analysis appear elsewhere."""

from __future__ import annotations

import json
import re
from dataclasses import replace

from opencsms.engine import TaraResult, evaluate
from opencsms.engine.documents import Table
from opencsms.engine.documents.markdown import escape
from opencsms.engine.reports import Report, build_report, render
from opencsms.engine.reports.review import review_status
from opencsms.engine.tara.model import Provenance, ReviewStatus


def _rows(table: Table) -> dict[str, dict[str, object]]:
    keys = [c.key for c in table.columns]
    return {str(row[0]): dict(zip(keys, row, strict=True)) for row in table.rows}


def test_review_lists_every_threat_scenario_not_simply_accepted(report: Report) -> None:
    rows = _rows(report.section("WP-15-03").table("threat-review"))
    assert list(rows) == ["TS-5", "TS-6", "TS-7", "TS-8"]
    assert rows["TS-5"]["status"] == "proposed"
    assert (rows["TS-5"]["rule"], rows["TS-5"]["interface"]) == ("DIAG-ACCESS", "OBD")


def test_a_rejected_threat_scenario_shows_its_rationale(report: Report) -> None:
    rejected = _rows(report.section("WP-15-03").table("threat-review"))["TS-6"]
    assert rejected == {
        "id": "TS-6",
        "name": "Forged headlamp command injected on Body CAN",
        "status": "rejected",
        "asset": "A-1",
        "rule": "MSG-INJECTION",
        "interface": "CAN-B",
        "merged_into": None,
        "rationale": "Same attack as TS-1 <covered by SecOC> & rated there",
    }


def test_merged_and_obsolete_threat_scenarios(report: Report) -> None:
    rows = _rows(report.section("WP-15-03").table("threat-review"))
    assert (rows["TS-7"]["status"], rows["TS-7"]["merged_into"]) == ("merged", "TS-2")
    assert rows["TS-7"]["rationale"] == "The flooding paths are analysed in TS-2"
    assert (rows["TS-8"]["status"], rows["TS-8"]["rule"]) == ("obsolete", "REMOTE-ENTRY")


def test_review_status_words(result: TaraResult) -> None:
    threat = result.model.threat_scenarios[0]
    gone = Provenance("R", "A-1", obsolete=True)
    assert review_status(threat) == "accepted"
    assert review_status(replace(threat, status=ReviewStatus.PROPOSED)) == "proposed"
    assert review_status(replace(threat, generated=gone)) == "obsolete"
    assert review_status(replace(threat, status=ReviewStatus.PROPOSED, generated=gone)) == "obsolete"
    assert review_status(replace(threat, status=ReviewStatus.MERGED, generated=gone)) == "merged, obsolete"


def test_left_out_threat_scenarios_appear_nowhere_else(report: Report) -> None:
    left_out = {"TS-6", "TS-7", "TS-8"}
    assets = _rows(report.section("WP-15-02").table("assets"))
    assert assets["A-1"]["threats"] == ("TS-1", "TS-2")
    assert assets["A-2"]["threats"] == ("TS-3", "TS-4", "TS-5")
    damage = _rows(report.section("WP-15-01").table("damage-scenarios"))
    assert damage["DS-1"]["threats"] == ("TS-1", "TS-2", "TS-4", "TS-5")
    for section in report.sections:
        for block in section.data_blocks:
            if isinstance(block, Table) and block.key not in ("threat-review", "findings"):
                cells = {c for row in block.rows for v in row for c in (v if isinstance(v, tuple) else (v,))}
                assert not cells & left_out, block.key


def test_review_in_every_format(result: TaraResult) -> None:
    html = render(result, "html").decode()
    assert '<tr id="el-TS-6">' in html  # rejected ones are anchored in the review table
    assert '<span class="state st-rejected">rejected</span>' in html
    assert '<span class="state st-proposed">proposed</span>' in html
    assert "Same attack as TS-1 &lt;covered by SecOC&gt; &amp; rated there" in html
    assert re.search(r'<td><a class="id" href="#el-TS-2">TS-2</a></td>', html)  # merged into
    md = render(result, "md").decode()
    assert "### Review of threat scenarios" in md
    why = escape("Same attack as TS-1 <covered by SecOC> & rated there")
    row = "| TS-6 | Forged headlamp command injected on Body CAN | rejected | A-1 | MSG-INJECTION | CAN-B |"
    assert f"{row}  | {why} |" in md
    data = json.loads(render(result, "json"))
    wp = next(s for s in data["sections"] if s["id"] == "WP-15-03")
    review = next(b for b in wp["blocks"] if b["key"] == "threat-review")
    assert [r["status"] for r in review["rows"]] == ["proposed", "rejected", "merged", "obsolete"]


def test_a_model_without_review_has_an_empty_table(result: TaraResult) -> None:
    kept = tuple(
        t for t in result.model.threat_scenarios if t.status is ReviewStatus.ACCEPTED and t.generated is None
    )
    report = build_report(evaluate(replace(result.model, threat_scenarios=kept), result.profile))
    assert report.section("WP-15-03").table("threat-review").rows == ()
    assert (
        "None."
        in render(evaluate(replace(result.model, threat_scenarios=kept), result.profile), "md").decode()
    )
