"""The Markdown report: GitHub-flavoured tables, one `##` section per work product, escaped cells."""

from __future__ import annotations

from dataclasses import replace

import pytest

from opencsms.engine import TaraResult, evaluate
from opencsms.engine.catalogue import work_products
from opencsms.engine.documents.markdown import escape, slug
from opencsms.engine.reports import render


@pytest.fixture(scope="module")
def md(result: TaraResult) -> str:
    return render(result, "md").decode()


def test_one_level_two_heading_per_work_product(md: str) -> None:
    headings = [line[3:] for line in md.splitlines() if line.startswith("## ")]
    wps = work_products().work_products
    assert [h.split(" ")[0] for h in headings[3:-3]] == [wp.id for wp in wps]
    assert headings[:3] == ["Contents", "Method and provenance", "Summary"]
    assert headings[-3:] == ["UN R155 Annex 5 coverage", "Traceability", "Findings"]
    for wp in wps:
        assert f"## {wp.id} {wp.name}" in md
        assert f"(#{slug(f'{wp.id} {wp.name}')})" in md


def test_every_table_row_has_as_many_cells_as_its_header(md: str) -> None:
    widths: list[int] = []
    for line in md.splitlines():
        if line.startswith("|"):
            cells = line.replace("\\|", "").count("|") - 1
            if line.startswith("|---"):
                assert cells == widths[-1]
            widths.append(cells)
        elif widths:
            assert len(set(widths)) == 1, widths
            widths = []


def test_pipes_and_html_in_cells_are_escaped(result: TaraResult) -> None:
    threat = replace(result.model.threat_scenarios[0], name="a | b <script>", cause="line one\nline two")
    model = replace(result.model, threat_scenarios=(threat, *result.model.threat_scenarios[1:]))
    md = render(evaluate(model, result.profile), "md").decode()
    assert "| TS-1 | a \\| b &lt;script&gt; | A-1 | integrity | line one<br>line two |" in md
    assert "<script>" not in md
    assert "Loss of sight \\| collision with an obstacle" in md  # from the golden model


def test_escape_and_slug() -> None:
    assert escape(" x|y\\z ") == "x\\|y\\\\z"
    assert (
        slug("WP-15-02 Assets with cybersecurity properties")
        == "wp-15-02-assets-with-cybersecurity-properties"
    )
    assert slug("Method and provenance") == "method-and-provenance"


def test_attack_trees_are_indented_and_heat_maps_are_tables(md: str) -> None:
    assert "| TS-2 | AP-3 | **Bus flooding** | PATH |" in md
    assert "| TS-2 | AP-3 | └ Flood the body CAN | OR |" in md
    assert "| TS-2 | AP-3 | \u2003\u2003└ Open the vehicle | STEP |" in md
    assert "| Impact \\ Feasibility | Very low | Low | Medium | High |" in md
    assert "| **Severe** | **1** (2) | 0 (3) | 0 (4) | **1** (5) |" in md
