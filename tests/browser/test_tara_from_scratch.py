"""In the browser, with forms only (no YAML): an engineer starts an empty TARA on the project page, creates
a component, an external interface (the entry point), an asset, a damage scenario with its impact and a
threat scenario on it, adds the best attack path from the architecture and re-rates its step in the tree
editor,
creates a control, a goal and a requirement naming both, treats the threat with the goal; the overview
then shows a risk value."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from opencsms.organisation.demo import Demo
from opencsms.tara.models import Element, Kind, Tara
from tests.browser.conftest import sign_in

HARD = {
    "elapsed_time": "beyond_six_months",
    "specialist_expertise": "multiple_experts",
    "knowledge_of_item": "strictly_confidential",
    "window_of_opportunity": "difficult",
    "equipment": "multiple_bespoke",
}


def create(page: Any, tara: Tara, kind: str, fields: dict[str, Any]) -> None:
    """Open the kind's list, fill its structured create form by label, create, land on the element."""
    page.goto(f"/taras/{tara.pk}/{kind}/")
    box = page.get_by_test_id("element-create-fields")
    box.locator("summary").click()
    form = box.get_by_test_id("new-element-form")
    for label, value in fields.items():
        field = form.get_by_label(label, exact=True)
        if value is True:
            field.check()
        elif field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    form.get_by_role("button", name="Create").click()
    expect(page.locator("h1")).to_contain_text(str(fields["Id (new in the TARA)"]))


def start_empty_tara(page: Any, demo: Demo) -> None:
    page.goto(f"/projects/{demo.project.pk}/")
    new = page.get_by_test_id("new-tara")
    new.locator("summary").click()
    new.get_by_label("Id").fill("seat")
    new.get_by_label("Name").fill("Seat adjustment")
    new.get_by_label("Method profile").select_option("iso21434")
    new.get_by_role("button", name="Create").click()
    expect(page.locator("h1")).to_contain_text("Seat adjustment")


def add_and_rate_a_path(page: Any) -> None:
    """On a threat scenario's page: the best path from the architecture, its step re-rated."""
    page.get_by_test_id("attach-form").get_by_role("button", name="Add").click()
    tree = page.get_by_test_id("tree")
    expect(tree.get_by_test_id("node").first).to_be_visible()
    expect(tree.get_by_test_id("risk")).to_have_text("5")  # the path found is easy: High feasibility
    step = tree.locator("li[data-address='']").first  # the path is one step: rate it in the tree editor
    step.locator("summary", has_text="Rate").click()
    rate = step.get_by_test_id("rate-form")
    for factor, level in HARD.items():
        rate.locator(f"select[name=ap_{factor}]").select_option(level)
    rate.get_by_role("button", name="Save rating").click()
    expect(page.get_by_test_id("tree").get_by_test_id("risk")).not_to_have_text("5")


def treat(page: Any, tara: Tara) -> None:
    """Treat TS-MOVE with the goal through its edit form."""
    page.goto(f"/taras/{tara.pk}/threat_scenarios/TS-MOVE/")
    fields = page.get_by_test_id("fields-form")
    fields.get_by_test_id("treatment-decision").get_by_label("Reduce").check()
    fields.get_by_label("Goals (ids, comma separated)").fill("CG-SEAT")
    page.evaluate("document.getElementById('element-panel').dataset.stale = '1'")
    fields.get_by_role("button", name="Save").click()
    expect(page.locator("#element-panel:not([data-stale])")).to_be_visible()  # swapped in: saved
    expect(page.get_by_test_id("error")).to_have_count(0)
    expect(page.get_by_test_id("status")).to_have_text("Reduce")


def test_a_small_tara_is_built_from_an_empty_one_with_forms_only(page: Any, demo: Demo) -> None:
    page.goto("/login/")
    sign_in(page, "engineer")
    start_empty_tara(page, demo)
    tara = Tara.objects.get(project=demo.project, ref="seat")
    assert not tara.elements.exists()

    create(page, tara, "components", {"Id (new in the TARA)": "SEAT", "Name": "Seat ECU", "Kind": "ecu"})
    create(
        page,
        tara,
        "interfaces",
        {
            "Id (new in the TARA)": "BT",
            "Name": "Bluetooth",
            "Kind": "bluetooth",
            "Components (pick one or more)": ["SEAT"],
            "External (an entry point from outside the item)": True,
        },
    )
    create(
        page,
        tara,
        "assets",
        {
            "Id (new in the TARA)": "A-POS",
            "Name": "Seat position command",
            "Component": "SEAT",
            "Cybersecurity properties (pick one or more)": ["integrity"],
        },
    )
    create(
        page,
        tara,
        "damage_scenarios",
        {"Id (new in the TARA)": "DS-CRUSH", "Name": "Driver pinned", "Impact: Safety": "severe"},
    )
    create(
        page,
        tara,
        "threat_scenarios",
        {
            "Id (new in the TARA)": "TS-MOVE",
            "Name": "Seat moved while driving",
            "Asset": "A-POS",
            "Property it violates": "integrity",
            "Damage scenarios (pick one or more)": ["DS-CRUSH"],
        },
    )
    add_and_rate_a_path(page)

    create(page, tara, "controls", {"Id (new in the TARA)": "CTL-AUTH", "Name": "Authenticated seat frames"})
    create(page, tara, "goals", {"Id (new in the TARA)": "CG-SEAT", "Name": "Seat moves only as asked"})
    create(
        page,
        tara,
        "requirements",
        {
            "Id (new in the TARA)": "CR-SEAT",
            "Text": "Seat frames carry a MAC",
            "Goals (pick one or more)": ["CG-SEAT"],
            "Controls (pick one or more)": ["CTL-AUTH"],
            "Components (pick one or more)": ["SEAT"],
        },
    )
    treat(page, tara)

    threat = Element.objects.get(tara=tara, kind=Kind.THREAT_SCENARIO, ref="TS-MOVE")
    assert threat.data["treatment"] == {"decision": "reduce", "goals": ["CG-SEAT"]}
    assert threat.risk is not None
    requirement = Element.objects.get(tara=tara, kind=Kind.REQUIREMENT, ref="CR-SEAT").data
    assert (requirement["goals"], requirement["controls"]) == (["CG-SEAT"], ["CTL-AUTH"])
    page.goto(f"/taras/{tara.pk}/")
    summary = page.get_by_test_id("summary")
    expect(summary.locator(".kv .risk").first).to_have_text(str(threat.risk))
    assert page.console.errors == []
    assert page.console.csp_violations() == []
