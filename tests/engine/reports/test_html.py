"""The HTML report: one self-contained, escaped file whose heat map agrees with `TaraResult.heat_map()`."""

from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser

import pytest

from opencsms.engine import TaraResult, evaluate
from opencsms.engine.catalogue import work_products
from opencsms.engine.reports import render

SCRIPT = "<script>alert(1)</script>"


class _Collector(HTMLParser):
    """Tags and attributes of a document, to check structure without a browser."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _parse(html: str) -> list[tuple[str, dict[str, str | None]]]:
    collector = _Collector()
    collector.feed(html)
    return collector.tags


@pytest.fixture(scope="module")
def html(result: TaraResult) -> str:
    return render(result, "html").decode()


def _heat_cells(html: str, key: str) -> dict[tuple[str, str], int]:
    figure = html[html.index(f'id="{key}"') :]
    figure = figure[: figure.index("</figure>")]
    cells = re.findall(r'data-impact="([^"]+)" data-feasibility="([^"]+)" data-count="(\d+)"', figure)
    return {(i, f): int(n) for i, f, n in cells}


@pytest.mark.parametrize(("key", "residual"), [("heatmap-initial", False), ("heatmap-residual", True)])
def test_heat_map_counts_equal_the_result(result: TaraResult, html: str, key: str, residual: bool) -> None:
    cells = _heat_cells(html, key)
    profile = result.profile
    assert len(cells) == len(profile.impact.ids) * len(profile.feasibility.ids)
    assert {k: n for k, n in cells.items() if n} == result.heat_map(residual)


def test_heat_map_rows_go_from_highest_impact_and_columns_from_lowest_feasibility(html: str) -> None:
    cells = list(_heat_cells(html, "heatmap-initial"))
    assert cells[0] == ("severe", "very_low")
    assert cells[3] == ("severe", "high")
    assert cells[-1] == ("negligible", "high")


def test_heat_map_cells_are_coloured_by_the_matrix_risk(result: TaraResult, html: str) -> None:
    figure = html[html.index('id="heatmap-initial"') :]
    first = re.search(r'<td class="r(\d)[^"]*" data-impact="severe" data-feasibility="high"', figure)
    assert first is not None
    assert int(first.group(1)) == result.profile.risk("severe", "high")[1] == 5


def test_every_work_product_is_a_section_in_the_table_of_contents(html: str) -> None:
    tags = _parse(html)
    sections = {a["id"] for t, a in tags if t == "section"}
    links = {a["href"] for t, a in tags if t == "a" and (a.get("href") or "").startswith("#wp-")}
    for wp in work_products().work_products:
        assert wp.id.lower() in sections
        assert f"#{wp.id.lower()}" in links
        assert f'<span class="wp-id">{wp.id}</span>' in html
    assert {"method", "summary", "traceability", "findings"} <= sections


def test_self_contained_no_scripts_or_external_assets(html: str) -> None:
    tags = _parse(html)
    assert not [t for t, _ in tags if t in {"script", "link", "img", "iframe"}]
    assert "<style>" in html
    assert "http://" not in html
    assert "https://" not in html


def test_names_from_the_model_are_escaped(result: TaraResult) -> None:
    threat = replace(result.model.threat_scenarios[0], name=SCRIPT, cause='"quoted" & <b>bold</b>')
    model = replace(result.model, name=SCRIPT, threat_scenarios=(threat, *result.model.threat_scenarios[1:]))
    html = render(evaluate(model, result.profile), "html").decode()
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>bold</b>" not in html
    assert not [t for t, _ in _parse(html) if t in {"script", "b"}]


def test_risk_values_are_coloured_badges(result: TaraResult, html: str) -> None:
    badges = re.findall(r'<span class="risk r(\d)" title="risk value (\d)">(\d)</span>', html)
    assert badges
    assert all(a == b == c for a, b, c in badges)
    for value in range(1, 6):
        assert f".r{value} {{ background: #" in html


def test_attack_tree_rows_are_indented_with_gates(html: str) -> None:
    assert '<span class="gate and">AND</span>' in html
    assert '<span class="gate or">OR</span>' in html
    assert 'class="depth-3"' in html  # AP-3: OR > AND > step
    assert '<div class="node" style="padding-left: 54px">' in html


def test_cross_references_link_to_the_defining_row(html: str) -> None:
    assert 'id="el-TS-1"' in html
    assert '<a class="id" href="#el-TS-1">TS-1</a>' in html
    assert html.count('id="el-TS-1"') == 1


def test_print_styles_are_included(html: str) -> None:
    assert "@media print" in html
    assert "print-color-adjust: exact" in html
