"""The SVG pictures of the HTML report: well-formed, one box per component, the attack graph's layout and
edges, the highlighted path equal to `asset_paths`' best path, escaped text, drawn once and reused."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import replace
from itertools import pairwise

import pytest

from opencsms.engine import TaraResult, evaluate
from opencsms.engine.analysis.attack_paths import asset_paths
from opencsms.engine.analysis.graph import ATTACKER, build_graph
from opencsms.engine.documents import Figure
from opencsms.engine.reports import Report, build_report, render
from opencsms.engine.reports.architecture import UNREACHED, architecture
from opencsms.engine.reports.layout import clip, layout, wrap
from opencsms.engine.reports.pictures import Drawing, shared_svgs
from opencsms.engine.tara.model import Component, Interface
from opencsms.engine.tara_as_code import load_file, parse
from tests.engine.reports.test_content import HEAVENS
from tests.paths import REFERENCE


def _svgs(html: str) -> dict[str, ET.Element]:
    """Every inline SVG of the page, parsed as XML, by the id of the figure around it."""
    found = re.findall(r'<figure class="diagram[^"]*" id="([^"]+)">.*?(<svg .*?</svg>)', html, re.S)
    return {key: ET.fromstring(svg) for key, svg in found}  # noqa: S314 - our own output


def figures(report: Report) -> Mapping[str, str]:
    """The inline SVG of every picture of the report's HTML page, by figure key."""
    return shared_svgs([f for s in report.sections for f in s.figures])


def drawing(figure: Figure) -> Drawing:
    """The architecture (and attack path) a figure of the report draws."""
    assert isinstance(figure.picture, Drawing)
    return figure.picture


def on_architecture(found: Sequence[Figure]) -> list[Figure]:
    """The figures drawn on the architecture (not the attack trees' pictures, test_tree_layout.py)."""
    return [f for f in found if isinstance(f.picture, Drawing)]


def _boxes(svg: ET.Element, kind: str) -> list[str]:
    return [g.attrib["data-node"] for g in svg.iter("g") if g.attrib.get("data-kind") == kind]


def _undirected(pairs: set[tuple[str, str]]) -> set[frozenset[str]]:
    return {frozenset(p) for p in pairs}


@pytest.fixture(scope="module")
def html(result: TaraResult) -> str:
    return render(result, "html").decode()


def test_every_picture_is_well_formed_svg(report: Report, html: str) -> None:
    svgs = _svgs(html)
    keys = [f.key for s in report.sections for f in s.figures]
    assert list(svgs) == keys
    assert keys == ["architecture", "tree-TS-1-AP-1", "tree-TS-2-AP-3", "path-HL"]
    assert all(svg.tag == "svg" and svg.attrib["viewBox"].startswith("0 0 ") for svg in svgs.values())
    assert html.count("<svg ") == len(keys)


def test_one_box_per_component_bus_and_entry_point(result: TaraResult, html: str) -> None:
    svg = _svgs(html)["architecture"]
    model = result.model
    assert sorted(_boxes(svg, "component")) == sorted(f"component:{c.id}" for c in model.components)
    assert _boxes(svg, "entry") == ["entry:CELL", "entry:OBD"]
    assert _boxes(svg, "bus") == ["bus:CAN-B"]
    tcu = next(g for g in svg.iter("g") if g.attrib.get("data-node") == "component:TCU")
    assert tcu.find("rect") is not None
    assert tcu.find("rect").attrib["stroke-dasharray"] == "5 3"  # type: ignore[union-attr]  # out of scope


def test_edges_are_the_attack_graphs_hops(result: TaraResult, html: str) -> None:
    svg = _svgs(html)["architecture"]
    drawn = {
        (p.attrib["data-source"], p.attrib["data-target"])
        for p in svg.iter("path")
        if "data-source" in p.attrib
    }
    graph = build_graph(result.model, result.profile)
    hops = {(h.source, h.target) for hops in graph.out.values() for h in hops if h.source != ATTACKER}
    assert _undirected(drawn) == _undirected(hops)
    assert ("entry:OBD", "component:BCM") in drawn


def test_layers_are_the_breadth_first_distance_from_the_entry_points(result: TaraResult) -> None:
    arch = architecture(result.model)
    assert {n.key: n.layer for n in arch.nodes} == {
        "entry:CELL": 0,
        "entry:OBD": 0,
        "component:TCU": 1,
        "component:BCM": 1,
        "bus:CAN-B": 2,
        "component:HL": 3,
    }
    lay = layout(arch)
    xs = [lay.boxes[k].x for k in ("entry:OBD", "component:BCM", "bus:CAN-B", "component:HL")]
    assert xs == sorted(xs)
    assert [c.heading for c in lay.columns] == ["Entry points", "Distance 1", "Distance 2", "Distance 3"]


def test_highlighted_path_is_the_best_path_of_asset_paths(result: TaraResult, html: str) -> None:
    best = asset_paths(result.model, result.profile, k=1)
    assert {a.component for a in best} == {"HL"}
    path = best[0].paths[0]
    svg = _svgs(html)["path-HL"]
    hops = [p for p in svg.iter("path") if p.attrib.get("class") == "hop"]
    assert [(p.attrib["data-source"], p.attrib["data-target"]) for p in hops] == [
        (h.source, h.target) for h in path.hops
    ]
    assert [p.attrib["stroke"] for p in hops] == ["#C62828"] * len(path.hops)
    numbers = [
        t.text for t in svg.iter("text") if t.attrib.get("fill") == "#FFFFFF" and (t.text or "").isdigit()
    ]
    assert numbers == [str(i) for i in range(1, len(path.hops))]  # the attacker's hop has no number
    assert path.nodes == ("attacker", "entry:OBD", "component:BCM", "bus:CAN-B", "component:HL")


def test_the_path_table_and_figure_say_the_same(result: TaraResult, report: Report) -> None:
    section = report.section("WP-15-05")
    table = section.table("attack-path-analysis")
    assert [r[0] for r in table.rows] == ["HL"]
    row = dict(zip((c.key for c in table.columns), table.rows[0], strict=True))
    path = asset_paths(result.model, result.profile, k=1)[0].paths[0]
    assert row["assets"] == ("A-1", "A-2")
    assert row["threats"] == ("TS-1", "TS-2", "TS-3", "TS-4", "TS-5")  # not the rejected TS-6 and TS-7
    assert row["route"] == "OBD \u2192 BCM \u2192 CAN-B \u2192 HL"
    assert row["potential"] == path.total
    assert row["feasibility"] == result.profile.feasibility.labels[path.feasibility(result.profile)]
    (figure,) = on_architecture(section.figures)
    assert drawing(figure).path == tuple((h.source, h.target) for h in path.hops)
    assert figure.steps == (
        "1. Compromise Body control module over OBD-II port",
        "2. Send on Body CAN from Body control module",
        "3. Compromise Headlamp ECU from Body CAN",
    )
    assert f"attack potential {path.total}" in figure.lead


def test_the_architecture_is_drawn_once_and_reused(report: Report) -> None:
    svgs = figures(report)
    assert svgs["architecture"].count('<g id="arch1">') == 1
    assert '<use href="#arch1" opacity="0.28"/>' in svgs["path-HL"]
    assert 'id="arch1"' not in svgs["path-HL"]
    only_paths = [
        replace(f, key="p") for s in report.sections for f in on_architecture(s.figures) if drawing(f).path
    ]
    alone = figures(replace(report, sections=(replace(report.sections[0], blocks=tuple(only_paths)),)))
    assert '<g opacity="0.28"><g id="arch1">' in alone["p"]  # no architecture figure before: drawn here


def test_names_in_pictures_are_escaped(result: TaraResult) -> None:
    evil = "<b>&\"x'"
    model = result.model
    components = (replace(model.components[0], name=evil), *model.components[1:])
    interfaces = tuple(replace(x, name=f"{x.name} <script>") for x in model.interfaces)
    html = render(
        evaluate(replace(model, components=components, interfaces=interfaces), result.profile), "html"
    )
    text = html.decode()
    assert "<script>" not in text
    assert "<b>&" not in text
    svgs = _svgs(text)
    texts = {t.text for t in svgs["architecture"].iter("text")}
    assert evil in texts
    titles = {t.text for t in svgs["architecture"].iter("title")}
    assert f"{evil} (BCM): ecu" in titles


def test_unreached_components_get_their_own_column(result: TaraResult) -> None:
    model = result.model
    lonely = (Component("ISO", "Isolated ECU", "ecu"), Component("ISO2", "Second isolated ECU", "sensor"))
    lan = Interface("LAN", "Private link", "can", ("ISO", "ISO2"))
    arch = architecture(
        replace(model, components=(*model.components, *lonely), interfaces=(*model.interfaces, lan))
    )
    assert arch.node("component:ISO").layer == arch.node("bus:LAN").layer == UNREACHED
    lay = layout(arch)
    assert [c.heading for c in lay.columns][-2:] == ["Not reached", "Not reached"]
    assert lay.boxes["component:ISO"].x > lay.boxes["component:HL"].x
    assert lay.boxes["bus:LAN"].x > lay.boxes["component:ISO"].x


def test_the_reference_model_is_laid_out_without_overlaps() -> None:
    model, profile = load_file(REFERENCE)
    report = build_report(evaluate(model, profile))
    arch = drawing(report.section("WP-09-01").figures[0]).architecture
    lay = layout(arch)
    assert set(lay.boxes) == {n.key for n in arch.nodes}
    assert len([n for n in arch.nodes if n.kind == "component"]) == len(model.components)
    boxes = sorted(lay.boxes.values(), key=lambda b: (b.x, b.y))
    for a, b in pairwise(boxes):
        if a.x == b.x:
            assert a.y + a.h < b.y, (a, b)
    assert all(b.x >= 0 and b.right <= lay.width and b.y >= 0 and b.y + b.h <= lay.height for b in boxes)
    targets = {a.component for a in asset_paths(model, profile) if a.paths}
    paths = [f for f in on_architecture(report.section("WP-15-05").figures) if drawing(f).path]
    assert sorted(f.key for f in paths) == sorted(f"path-{c}" for c in targets)
    html = render(evaluate(model, profile), "html").decode()
    assert all(svg.tag == "svg" for svg in _svgs(html).values())
    assert html.count('<g id="arch1">') == 1


def test_pictures_are_html_only_and_deterministic(result: TaraResult, report: Report) -> None:
    assert render(result, "html") == render(result, "html")
    for fmt in ("md", "json"):
        assert b"<svg" not in render(result, fmt)
    assert all(not isinstance(b, Figure) for s in report.sections for b in s.data_blocks)


def test_clip_and_wrap() -> None:
    assert clip("short", 100, 10) == "short"
    assert clip("a rather long component name", 60, 10) == "a rather l\u2026"  # 11 glyphs fit
    assert wrap("Keyless passive entry and start ECU", 160, 12, 2) == (
        "Keyless passive entry",
        "and start ECU",
    )
    assert wrap("Body CAN", 160, 12, 2) == ("Body CAN",)
    assert wrap("Supercalifragilisticexpialidocious-ECU", 100, 12, 2) == ("Supercalifra\u2026",)
    assert wrap("", 100, 12, 2) == ("",)


def test_without_the_iso_factors_there_is_no_path_analysis_but_a_picture() -> None:
    model, profile = parse(HEAVENS)
    report = build_report(evaluate(model, profile))
    table = report.section("WP-15-05").table("attack-path-analysis")
    assert table.rows == ()
    assert table.note.startswith("Not available: attack path analysis rates hops with the ISO/SAE 21434")
    assert not on_architecture(report.section("WP-15-05").figures)
    (figure,) = report.section("WP-09-01").figures
    assert [n.key for n in drawing(figure).architecture.nodes] == ["entry:BT", "component:BCM"]
    assert "<svg " in render(evaluate(model, profile), "html").decode()
