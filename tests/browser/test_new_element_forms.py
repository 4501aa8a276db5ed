"""In the browser, the structured "new element" forms: a threat scenario is created from its fields with
the asset and damage scenarios picked (no ids typed), its page shows what was entered and its edit form
saves it unchanged; an asset with a taken id is refused beside the id, the rest of the input kept."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from opencsms.core.models import User
from opencsms.organisation.demo import Demo
from opencsms.tara import services
from opencsms.tara.models import Element, Kind, Tara
from tests.browser.conftest import sign_in
from tests.paths import REFERENCE


@pytest.fixture
def tara(demo: Demo) -> Tara:
    engineer = User.objects.get(username="engineer")
    return services.import_tara(
        actor=engineer, project_id=demo.project.pk, raw=REFERENCE.read_bytes(), filename=REFERENCE.name
    )


def test_a_threat_scenario_is_created_from_pickers(page: Any, tara: Tara) -> None:
    page.goto("/login/")
    sign_in(page, "engineer")
    page.goto(f"/taras/{tara.pk}/threat_scenarios/")
    create = page.get_by_test_id("element-create-fields")
    create.locator("summary").click()
    form = create.get_by_test_id("new-element-form")
    form.get_by_label("Id (new in the TARA)").fill("TS-95")
    form.get_by_label("Name", exact=True).fill("Key fob relay at the front door")
    form.get_by_label("Description").fill("A relay extends the key fob's range.")
    form.get_by_label("Asset").select_option("A-01")
    form.get_by_label("Property it violates").select_option("authenticity")
    form.get_by_label("STRIDE").select_option("S")
    form.get_by_label("Damage scenarios (pick one or more)").select_option(["DS-01", "DS-02"])
    form.get_by_role("button", name="Create").click()
    expect(page.locator("h1")).to_contain_text("TS-95")
    expect(page.locator(".toast").first).to_contain_text("TS-95 created.")
    fields = page.get_by_test_id("fields-form")
    expect(fields.locator("#f-name")).to_have_value("Key fob relay at the front door")
    expect(fields.locator("#f-description")).to_have_value("A relay extends the key fob's range.")
    expect(fields.locator("#f-stride")).to_have_value("S")
    expect(fields.locator("#f-damage_scenarios")).to_have_value("DS-01, DS-02")
    data = Element.objects.get(tara=tara, kind=Kind.THREAT_SCENARIO, ref="TS-95").data
    assert (data["asset"], data["property"], data["damage_scenarios"]) == (
        "A-01",
        "authenticity",
        ["DS-01", "DS-02"],
    )
    page.evaluate("document.getElementById('element-panel').dataset.stale = '1'")
    fields.get_by_role("button", name="Save").click()
    expect(page.locator("#element-panel:not([data-stale])")).to_be_visible()
    expect(page.get_by_test_id("error")).to_have_count(0)
    assert Element.objects.get(tara=tara, kind=Kind.THREAT_SCENARIO, ref="TS-95").data == data
    assert page.console.errors == []
    assert page.console.csp_violations() == []


def test_a_taken_id_is_refused_beside_it_and_the_input_kept(page: Any, tara: Tara) -> None:
    page.goto("/login/")
    sign_in(page, "engineer")
    page.goto(f"/taras/{tara.pk}/assets/")
    create = page.get_by_test_id("element-create-fields")
    create.locator("summary").click()
    form = create.get_by_test_id("new-element-form")
    form.get_by_label("Id (new in the TARA)").fill("A-01")
    form.get_by_label("Name", exact=True).fill("Spare key")
    form.get_by_label("Cybersecurity properties (pick one or more)").select_option(["confidentiality"])
    form.get_by_role("button", name="Create").click()
    expect(create.get_by_test_id("error")).to_contain_text("the TARA has an asset 'A-01' already")
    expect(form.locator("#new-id + [data-testid=field-error]")).to_have_text("A-01 is taken: choose a new id")
    expect(form.get_by_label("Name", exact=True)).to_have_value("Spare key")
    form.get_by_label("Id (new in the TARA)").fill("A-95")
    form.get_by_role("button", name="Create").click()
    expect(page.locator("h1")).to_contain_text("A-95")
    assert Element.objects.get(tara=tara, kind=Kind.ASSET, ref="A-95").data["properties"] == [
        "confidentiality"
    ]
    assert page.console.errors == []
