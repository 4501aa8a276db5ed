"""In the browser, the pictures of issue 9 item 8: a threat scenario's attack tree is drawn with its deciding
path in red; a click on a node selects its row, whose rating action then works and moves the highlight to
the OR gate's other child; the architecture picture zooms (buttons, wheel, keys), moves by a drag that does
not follow a link, and a click on a node opens its element."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from opencsms.core.models import User
from opencsms.organisation.demo import Demo
from opencsms.tara import services
from opencsms.tara.models import Element, Kind, Tara
from tests.browser.conftest import sign_in
from tests.paths import REFERENCE

HARD = {
    "elapsed_time": "beyond_six_months",
    "specialist_expertise": "multiple_experts",
    "knowledge_of_item": "strictly_confidential",
    "window_of_opportunity": "difficult",
    "equipment": "multiple_bespoke",
}


@pytest.fixture
def tara(demo: Demo) -> Tara:
    engineer = User.objects.get(username="engineer")
    return services.import_tara(
        actor=engineer, project_id=demo.project.pk, raw=REFERENCE.read_bytes(), filename=REFERENCE.name
    )


def _node(page: Any, key: str) -> Any:
    return page.get_by_test_id("tree-svg").locator(f'g.tree-node[data-key="{key}"]')


def _deciding_child_of_the_or(page: Any) -> str:
    for key in ("1.0", "1.1"):
        if _node(page, key).get_attribute("data-deciding") == "true":
            return key
    raise AssertionError("no child of the OR gate decides")


def test_the_tree_shows_its_deciding_path_and_a_selected_node_is_rated(page: Any, tara: Tara) -> None:
    page.goto("/login/")
    sign_in(page, "engineer")
    page.goto(f"/taras/{tara.pk}/threat_scenarios/TS-10/")  # AND(step, OR(step, step), step)
    picture = page.get_by_test_id("tree-svg").locator("svg")
    expect(picture).to_be_visible()
    expect(picture.locator("g.tree-node")).to_have_count(6)
    expect(picture.locator('g.tree-node[data-deciding="true"]')).to_have_count(5)
    expect(picture.locator('path.tree-edge[data-deciding="true"]')).to_have_count(4)
    expect(picture.locator("path.gate")).to_have_count(2)
    chosen = _deciding_child_of_the_or(page)
    other = "1.1" if chosen == "1.0" else "1.0"
    assert _node(page, chosen).locator("rect").first.get_attribute("stroke") == "#C62828"
    _node(page, chosen).locator("a").click()  # select the node: its row and its actions
    expect(page).to_have_url(re.compile(rf"#tree-AP-10a-node-{re.escape(chosen)}$"))
    row = page.locator("li:target")
    expect(row).to_have_attribute("data-address", chosen)
    row.locator(":scope > .node-head summary", has_text="Rate").click()
    rate = row.locator(":scope > .node-head").get_by_test_id("rate-form")
    for factor, level in HARD.items():
        rate.locator(f"select[name=ap_{factor}]").select_option(level)
    rate.get_by_role("button", name="Save rating").click()
    # re-evaluated and swapped in: the other child of the OR is now the easier one and decides
    expect(_node(page, other)).to_have_attribute("data-deciding", "true")
    expect(_node(page, chosen)).to_have_attribute("data-deciding", "false")
    data = Element.objects.get(tara=tara, kind=Kind.THREAT_SCENARIO, ref="TS-10").data
    step = data["attack_paths"][0]["tree"]["and"][1]["or"][int(chosen[-1])]
    assert step["attack_potential"] == HARD
    assert page.console.csp_violations() == []
    assert page.console.errors == []


def _scale(page: Any) -> float:
    return float(page.get_by_test_id("architecture-svg").get_attribute("data-scale"))


def _view_x(page: Any) -> float:
    box = page.get_by_test_id("zoom-frame").locator("svg").first.get_attribute("viewBox")
    return float(box.split()[0])


def _zoom_by_buttons_wheel_and_keys(page: Any, frame: Any, holder: Any) -> None:
    page.get_by_role("button", name="Zoom in").click()
    expect(holder).to_have_attribute("data-scale", "1.25")
    page.get_by_role("button", name="Zoom out").click()
    expect(holder).to_have_attribute("data-scale", "1.00")
    frame.hover()
    page.mouse.wheel(0, -100)
    expect(holder).not_to_have_attribute("data-scale", "1.00")
    frame.focus()  # the keyboard: 0 fits, + zooms, the arrows move
    page.keyboard.press("0")
    expect(holder).to_have_attribute("data-scale", "1.00")
    page.keyboard.press("+")
    page.keyboard.press("+")
    assert _scale(page) > 1.5
    before = _view_x(page)
    page.keyboard.press("ArrowRight")
    assert _view_x(page) > before


def _drag_from_a_node_moves_only(page: Any, node: Any) -> None:
    page.keyboard.press("0")
    box = node.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 10)
    page.keyboard.press("+")  # zoomed in, a drag that starts on a node moves the picture only
    before = _view_x(page)
    page.mouse.down()
    page.mouse.move(box["x"] - 60, box["y"] + 10, steps=5)
    page.mouse.up()
    assert _view_x(page) > before
    assert "/architecture/" in page.url


def test_the_architecture_zooms_moves_and_a_node_opens_its_element(page: Any, tara: Tara) -> None:
    page.goto("/login/")
    sign_in(page, "auditor")
    page.goto(f"/taras/{tara.pk}/architecture/")
    frame = page.get_by_test_id("zoom-frame")
    expect(frame.locator("svg").first).to_be_visible()
    holder = page.get_by_test_id("architecture-svg")
    expect(holder).to_have_attribute("data-scale", "1.00")
    frame_box = frame.bounding_box()
    svg_box = frame.locator("svg").first.bounding_box()
    assert svg_box["width"] <= frame_box["width"]  # the picture fits its frame
    assert svg_box["height"] <= frame_box["height"]
    _zoom_by_buttons_wheel_and_keys(page, frame, holder)
    tcu = frame.locator('g[data-node="component:TCU"] a')
    _drag_from_a_node_moves_only(page, tcu)
    page.keyboard.press("0")
    tcu.click()
    expect(page).to_have_url(re.compile(rf"/taras/{tara.pk}/components/TCU/$"))
    expect(page.locator("h1")).to_contain_text("TCU")
    assert page.console.csp_violations() == []
    assert page.console.errors == []
