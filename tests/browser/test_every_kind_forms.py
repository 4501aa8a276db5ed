"""In the browser, for every kind of element: create one with its structured form, change each field of
its edit form and save (the element then holds each value), save it unchanged (nothing changes), and
delete it through the confirmation dialog."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from opencsms.core.models import User
from opencsms.organisation.demo import Demo
from opencsms.tara import services
from opencsms.tara.models import Element, Tara
from tests.browser.conftest import sign_in
from tests.browser.test_tara_from_scratch import create
from tests.paths import REFERENCE

NEW = "Id (new in the TARA)"
# kind -> (the create form by label, the edit form's inputs -> new value, what the element then holds)
CASES: dict[str, tuple[dict[str, Any], dict[str, str], dict[str, Any]]] = {
    "components": (
        {NEW: "C-95", "Name": "Seat ECU", "Kind": "ecu"},
        {"#f-name": "Seat controller", "#f-description": "Moves the seats"},
        {"name": "Seat controller", "description": "Moves the seats", "kind": "ecu"},
    ),
    "interfaces": (
        {NEW: "I-95", "Name": "Seat CAN", "Kind": "can", "Components (pick one or more)": ["CGW"]},
        {"#f-name": "Seat bus", "#f-description": "Body CAN branch"},
        {"name": "Seat bus", "description": "Body CAN branch", "components": ["CGW"]},
    ),
    "data_flows": (
        {NEW: "DF-95", "Source": "CGW", "Target": "TCU", "Interface": "ETH-BB"},
        {"#f-data": "Seat positions"},
        {"data": "Seat positions", "interface": "ETH-BB"},
    ),
    "assets": (
        {NEW: "A-95", "Name": "Seat frame", "Cybersecurity properties (pick one or more)": ["integrity"]},
        {
            "#f-name": "Seat frames",
            "#f-description": "On the bus",
            "#f-properties": "integrity, availability",
        },
        {"name": "Seat frames", "description": "On the bus", "properties": ["integrity", "availability"]},
    ),
    "damage_scenarios": (
        {NEW: "DS-95", "Name": "Driver pinned", "Impact: Safety": "severe"},
        {
            "#f-name": "Driver trapped",
            "#f-description": "d",
            "#f-rationale": "r",
            "#f-impact-safety": "major",
        },
        {"name": "Driver trapped", "description": "d", "rationale": "r", "impact": {"safety": "major"}},
    ),
    "threat_scenarios": (
        {NEW: "TS-95", "Name": "Seat moved", "Asset": "A-01", "Property it violates": "integrity"},
        {
            "#f-name": "Seat moved remotely",
            "#f-description": "d",
            "#f-status": "accepted",
            "#f-rationale": "r",
            "#f-stride": "T",
            "#f-damage_scenarios": "DS-01, DS-02",
        },
        {
            "name": "Seat moved remotely",
            "status": "accepted",
            "stride": "T",
            "damage_scenarios": ["DS-01", "DS-02"],
        },
    ),
    "goals": (
        {NEW: "CG-95", "Name": "Seats move as asked"},
        {"#f-name": "Seats move only as asked", "#f-description": "d"},
        {"name": "Seats move only as asked", "description": "d"},
    ),
    "claims": (
        {NEW: "CL-95", "Text": "Out of reach"},
        {"#f-text": "Physically out of reach"},
        {"text": "Physically out of reach"},
    ),
    "controls": (
        {NEW: "CTL-95", "Name": "Seat MAC", "Mitigations (pick one or more)": ["M10"]},
        {"#f-name": "Seat frame MAC", "#f-description": "d", "#f-mitigations": "M10, M11"},
        {"name": "Seat frame MAC", "description": "d", "mitigations": ["M10", "M11"]},
    ),
    "requirements": (
        {NEW: "CR-95", "Text": "Sign frames", "Goals (pick one or more)": ["CG-01"]},
        {"#f-text": "Sign seat frames", "#f-goals": "CG-02", "#f-controls": "CTL-02", "#f-components": "TCU"},
        {"text": "Sign seat frames", "goals": ["CG-02"], "controls": ["CTL-02"], "components": ["TCU"]},
    ),
    "annex5_not_applicable": (
        {"Annex 5 entry": "4.1", "Why it does not apply": "No such function"},
        {"#f-rationale": "The item has no such function"},
        {"id": "4.1", "rationale": "The item has no such function"},
    ),
}


@pytest.fixture
def tara(demo: Demo) -> Tara:
    engineer = User.objects.get(username="engineer")
    return services.import_tara(
        actor=engineer, project_id=demo.project.pk, raw=REFERENCE.read_bytes(), filename=REFERENCE.name
    )


def _save(page: Any) -> None:
    page.evaluate("document.getElementById('element-panel').dataset.stale = '1'")
    page.get_by_test_id("fields-form").get_by_role("button", name="Save").click()
    expect(page.locator("#element-panel:not([data-stale])")).to_be_visible()  # swapped in: saved
    expect(page.get_by_test_id("error")).to_have_count(0)


@pytest.mark.parametrize("kind", list(CASES))
def test_create_edit_each_field_save_unchanged_and_delete(page: Any, tara: Tara, kind: str) -> None:
    made, edits, held = CASES[kind]
    ref = str(made.get(NEW) or made.get("Annex 5 entry"))
    page.goto("/login/")
    sign_in(page, "engineer")
    if NEW in made:
        create(page, tara, kind, made)
    else:  # an Annex 5 entry is picked, not typed
        create_picked(page, tara, kind, made, ref)
    assert Element.objects.filter(tara=tara, kind=kind, ref=ref).exists()
    fields = page.get_by_test_id("fields-form")
    for selector, value in edits.items():
        field = fields.locator(selector)
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    _save(page)
    data = Element.objects.get(tara=tara, kind=kind, ref=ref).data
    assert {key: data.get(key) for key in held} == held
    _save(page)  # unchanged
    assert Element.objects.get(tara=tara, kind=kind, ref=ref).data == data
    page.get_by_test_id("delete-form").get_by_role("button").click()
    confirm = page.get_by_test_id("confirm")
    expect(confirm).to_contain_text(f"Delete {ref}?")
    confirm.get_by_test_id("confirm-yes").click()
    expect(page.locator(".toast").first).to_contain_text(f"{ref} deleted.")
    assert not Element.objects.filter(tara=tara, kind=kind, ref=ref).exists()
    assert page.console.errors == []


def create_picked(page: Any, tara: Tara, kind: str, made: dict[str, Any], ref: str) -> None:
    page.goto(f"/taras/{tara.pk}/{kind}/")
    box = page.get_by_test_id("element-create-fields")
    box.locator("summary").click()
    form = box.get_by_test_id("new-element-form")
    form.get_by_label("Annex 5 entry").select_option(made["Annex 5 entry"])
    form.get_by_label("Why it does not apply").fill(made["Why it does not apply"])
    form.get_by_role("button", name="Create").click()
    expect(page.locator("h1")).to_contain_text(ref)


def test_a_refused_spec_form_names_the_field_and_keeps_the_input(page: Any, tara: Tara) -> None:
    page.goto("/login/")
    sign_in(page, "engineer")
    page.goto(f"/taras/{tara.pk}/requirements/")
    box = page.get_by_test_id("element-create-fields")
    box.locator("summary").click()
    form = box.get_by_test_id("new-element-form")
    form.get_by_label(NEW).fill("CR-01")
    form.get_by_label("Text").fill("Sign seat frames")
    form.get_by_label("Goals (pick one or more)").select_option(["CG-01"])
    form.get_by_role("button", name="Create").click()
    expect(form.locator("#new-id + [data-testid=field-error]")).to_have_text(
        "CR-01 is taken: choose a new id"
    )
    expect(form.get_by_label("Text")).to_have_value("Sign seat frames")
    form.get_by_label(NEW).fill("CR-96")
    form.get_by_role("button", name="Create").click()
    expect(page.locator("h1")).to_contain_text("CR-96")
    assert Element.objects.get(tara=tara, kind="requirements", ref="CR-96").data["goals"] == ["CG-01"]
    assert page.console.errors == []
