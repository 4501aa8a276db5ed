"""The attack tree layout and picture: no overlaps, parents over their children, the deciding path (OR:
the easiest child; AND: every child), gates drawn as gates, ratings by the path's approach."""

from __future__ import annotations

import itertools
import re

import pytest

from opencsms.engine import TaraResult
from opencsms.engine.reports import attacks, build_report
from opencsms.engine.reports.tree_layout import (
    GATE,
    HEIGHT,
    PlacedNode,
    TreeItem,
    deciding,
    layout_tree,
)
from opencsms.engine.reports.tree_pictures import path_tree_svg, tree_items, tree_svg
from opencsms.engine.tara.evaluate import interface_vectors
from opencsms.engine.tara.feasibility import TreeRater
from opencsms.engine.tara.model import FeasibilityMethod


def step(key: str, rank: float | None = 1.0) -> TreeItem:
    return TreeItem(key, f"step {key}", None, "r", rank)


def gate(key: str, kind: str, *children: TreeItem) -> TreeItem:
    return TreeItem(key, f"gate {key}", kind, "r", 1.0, children)


def overlap(a: PlacedNode, b: PlacedNode) -> bool:
    return a.x < b.x + b.w and b.x < a.x + a.w and a.y < b.y + b.h and b.y < a.y + a.h


BIG = gate(
    "",
    "or",
    step("0", 9),
    gate("1", "and", step("1.0", 3), gate("1.1", "or", step("1.1.0", 5), step("1.1.1", 2)), step("1.2", 4)),
    gate("2", "and", step("2.0", 1)),
    step("3", 7),
)


def test_no_two_boxes_overlap_and_each_fits_the_picture() -> None:
    lay = layout_tree(BIG)
    assert len(lay.nodes) == 11
    for a, b in itertools.combinations(lay.nodes, 2):
        assert not overlap(a, b), (a.item.key, b.item.key)
    for n in lay.nodes:
        assert n.x >= 0
        assert n.x + n.w <= lay.width
        assert n.y >= 0
        assert n.y + n.h <= lay.height


def test_parents_sit_over_their_children_and_edges_join_them() -> None:
    lay = layout_tree(BIG)
    at = {n.item.key: n for n in lay.nodes}
    assert {(e.parent, e.child) for e in lay.edges} == {(p, c.key) for p in at for c in at[p].item.children}
    for e in lay.edges:
        parent, child = at[e.parent], at[e.child]
        assert child.y > parent.y + HEIGHT + GATE  # below the gate's symbol
        assert (e.x1, e.y1) == (parent.cx, parent.y + HEIGHT + GATE)
        assert (e.x2, e.y2) == (child.cx, child.y)
        first, last = at[e.parent].item.children[0].key, at[e.parent].item.children[-1].key
        assert at[first].cx <= parent.cx <= at[last].cx


def test_or_decides_by_its_easiest_child_and_and_by_all() -> None:
    # OR: child "1" is an AND whose rank the test gives as 1.0, "2" too: the first easiest, "1", wins
    assert deciding(BIG) == {"", "1", "1.0", "1.1", "1.1.1", "1.2"}
    lay = layout_tree(BIG)
    marked = {n.item.key for n in lay.nodes if n.deciding}
    assert marked == deciding(BIG)
    assert {(e.parent, e.child) for e in lay.edges if e.deciding} == {
        ("", "1"),
        ("1", "1.0"),
        ("1", "1.1"),
        ("1", "1.2"),
        ("1.1", "1.1.1"),
    }


def test_unrated_children_never_decide_an_or_and_a_single_child_always_does() -> None:
    assert deciding(gate("", "or", step("0", None), step("1", 3))) == {"", "1"}
    assert deciding(gate("", "or", step("0", None))) == {"", "0"}
    assert deciding(gate("", "or", step("0", None), step("1", None))) == {""}
    assert deciding(step("", None)) == {""}


def test_a_single_step_is_one_box_without_edges() -> None:
    lay = layout_tree(step(""))
    assert len(lay.nodes) == 1
    assert lay.edges == ()
    assert lay.nodes[0].deciding


def test_the_picture_draws_gates_as_gates_links_and_escapes_names() -> None:
    tree = gate("", "and", TreeItem("0", "<b>&", None, "r", 1.0), gate("1", "or", step("1.0"), step("1.1")))
    svg = tree_svg(layout_tree(tree), "T", link="#node-{key}")
    assert svg.count('class="tree-node"') == 5
    assert 'class="gate" data-gate="and"' in svg
    assert 'class="gate" data-gate="or"' in svg
    assert '<a href="#node-root">' in svg
    assert '<a href="#node-1.1">' in svg
    assert "&lt;b&gt;&amp;" in svg
    assert "<b>" not in svg
    assert "style=" not in svg
    assert "<script" not in svg


def test_the_golden_trees_are_rated_by_their_approach(result: TaraResult) -> None:
    rater = TreeRater(result.profile, interface_vectors(result.model))
    threats = {t.id: t for t in result.model.threat_scenarios}
    cvss_path = threats["TS-2"].attack_paths[0]  # OR(OBD dongle, AND(open, reflash)) by CVSS
    items = tree_items(cvss_path, FeasibilityMethod.CVSS, rater)
    assert items.gate == "or"
    assert [c.gate for c in items.children] == [None, "and"]
    assert "exploitability" in items.rating
    # the root's rating is the path's own
    rated = result.threats["TS-2"].paths[0]
    assert items.rank == -rated.score
    # the OR takes the easier child: the dongle (AV:P, AC:L) beats the AND that needs AC:H, PR:H too
    assert deciding(items) == {"", "0"}
    svg = path_tree_svg(cvss_path, FeasibilityMethod.CVSS, rater)
    assert len(re.findall(r'class="tree-node"[^>]*data-deciding="true"', svg)) == 2
    ap_path = threats["TS-1"].attack_paths[0]  # AND of two steps by attack potential
    ap = tree_items(ap_path, FeasibilityMethod.ATTACK_POTENTIAL, rater)
    assert ap.rank == result.threats["TS-1"].paths[0].score
    assert "potential" in ap.rating
    assert deciding(ap) == {"", "0", "1"}


def test_the_report_draws_each_gated_tree_up_to_its_limit(
    result: TaraResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    section = build_report(result).section("WP-15-05")
    trees = [f for f in section.figures if f.key.startswith("tree-")]
    assert [f.key for f in trees] == ["tree-TS-1-AP-1", "tree-TS-2-AP-3"]  # AP-2 is a single step
    assert 'data-deciding="true"' in trees[0].picture.svg()
    monkeypatch.setattr(attacks, "MAX_TREE_FIGURES", 1)
    capped = build_report(result).section("WP-15-05")
    assert [f.key for f in capped.figures if f.key.startswith("tree-")] == ["tree-TS-1-AP-1"]
