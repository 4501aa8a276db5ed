"""In the browser, the element edit forms (issue 9): a reference threat scenario with treatment goals and
claims saves unchanged without an error and without a change, then with every field of the form changed,
and the page shows each new value after saving; an element of each other kind saves unchanged too."""

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

CHANGED = {
    "f-name": "Phantom braking from projections",
    "f-description": "A projector shows an obstacle on the road.",
    "f-rationale": "Kept while the review runs.",
    "f-stride": "S",
    "f-damage_scenarios": "DS-01, DS-02",
    "f-treatment-rationale": "Fusion logic is hardened.",
    "f-treatment-goals": "CG-06, CG-01",
    "f-treatment-claims": "CL-01",
}


@pytest.fixture
def tara(demo: Demo) -> Tara:
    engineer = User.objects.get(username="engineer")
    return services.import_tara(
        actor=engineer, project_id=demo.project.pk, raw=REFERENCE.read_bytes(), filename=REFERENCE.name
    )


def _data(tara: Tara, kind: str, ref: str) -> dict[str, Any]:
    return dict(Element.objects.get(tara=tara, kind=kind, ref=ref).data)


def _save(page: Any) -> None:
    """Save the fields and wait until htmx has swapped in the new panel (the old one is marked first)."""
    page.evaluate("document.getElementById('element-panel').dataset.stale = '1'")
    page.get_by_test_id("fields-form").get_by_role("button", name="Save").click()
    expect(page.locator("#element-panel:not([data-stale])")).to_be_visible()


def test_a_threat_scenario_saves_unchanged_then_every_field_changed(page: Any, tara: Tara) -> None:
    page.goto("/login/")
    sign_in(page, "engineer")
    before = _data(tara, Kind.THREAT_SCENARIO, "TS-41")
    page.goto(f"/taras/{tara.pk}/threat_scenarios/TS-41/")
    _save(page)
    expect(page.get_by_test_id("error")).to_have_count(0)
    assert _data(tara, Kind.THREAT_SCENARIO, "TS-41") == before
    form = page.get_by_test_id("fields-form")
    for field, value in CHANGED.items():
        form.locator(f"#{field}").fill(value)
    form.locator("#f-status").select_option("proposed")
    decision = form.get_by_test_id("treatment-decision")
    decision.get_by_label("retain").uncheck()
    decision.get_by_label("share").check()
    _save(page)
    expect(page.get_by_test_id("error")).to_have_count(0)
    form = page.get_by_test_id("fields-form")
    for field, value in CHANGED.items():
        expect(form.locator(f"#{field}")).to_have_value(value)
    expect(form.locator("#f-status")).to_have_value("proposed")
    expect(decision.get_by_label("reduce")).to_be_checked()
    expect(decision.get_by_label("share")).to_be_checked()
    expect(decision.get_by_label("retain")).not_to_be_checked()
    after = _data(tara, Kind.THREAT_SCENARIO, "TS-41")
    assert after["treatment"] == {
        "decision": ["reduce", "share"],
        "rationale": "Fusion logic is hardened.",
        "goals": ["CG-06", "CG-01"],
        "claims": ["CL-01"],
    }
    assert (after["name"], after["stride"], after["damage_scenarios"]) == (
        CHANGED["f-name"],
        "S",
        ["DS-01", "DS-02"],
    )


def test_an_element_of_every_kind_saves_unchanged(page: Any, tara: Tara) -> None:
    page.goto("/login/")
    sign_in(page, "engineer")
    for kind in Kind.values:
        element = Element.objects.filter(tara=tara, kind=kind).order_by("position").first()
        if element is None:
            continue
        page.goto(f"/taras/{tara.pk}/{kind}/{element.ref}/")
        _save(page)
        expect(page.get_by_test_id("error")).to_have_count(0)
        assert _data(tara, kind, element.ref) == element.data, kind
    assert page.console.errors == []
    assert page.console.csp_violations() == []


def test_a_refusal_is_shown_beside_its_field_and_the_input_is_kept(page: Any, tara: Tara) -> None:
    page.goto("/login/")
    sign_in(page, "engineer")
    page.goto(f"/taras/{tara.pk}/threat_scenarios/TS-01/")
    form = page.get_by_test_id("fields-form")
    expect(form.locator("#f-status option[value=proposed]")).to_have_text("Proposed")
    expect(page.get_by_test_id("derived").get_by_test_id("feasibility")).not_to_contain_text("_")
    form.locator("#f-damage_scenarios").fill("DS-01, DS-NOPE")
    form.locator("#f-name").fill("A new name")
    form.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("error")).to_contain_text("DS-NOPE")
    beside = form.locator("#f-damage_scenarios + [data-testid=field-error]")
    expect(beside).to_contain_text("'DS-NOPE' is not defined")
    expect(form.locator("#f-damage_scenarios")).to_have_attribute("aria-invalid", "true")
    expect(form.locator("#f-damage_scenarios")).to_have_value("DS-01, DS-NOPE")
    expect(form.locator("#f-name")).to_have_value("A new name")
    expect(form.locator("#f-name + [data-testid=field-error]")).to_have_count(0)
    assert _data(tara, Kind.THREAT_SCENARIO, "TS-01")["damage_scenarios"] == ["DS-01"]
    assert page.console.errors == []
    assert page.console.csp_violations() == []


def test_the_item_form_names_bad_yaml_beside_its_field_then_saves(page: Any, tara: Tara) -> None:
    page.goto("/login/")
    sign_in(page, "engineer")
    page.goto(f"/taras/{tara.pk}/")
    edit = page.get_by_test_id("item-edit")
    edit.locator("summary").click()
    form = edit.get_by_test_id("item-form")
    form.locator("#id_description").fill("The connected EV, edited in the browser.")
    functions = form.locator("#id_functions").input_value()
    form.locator("#id_functions").fill("- [unclosed")
    form.get_by_role("button", name="Save the item definition").click()
    expect(form.locator("#id_functions + [data-testid=field-error]")).to_contain_text("not valid YAML")
    expect(form.locator("#id_description")).to_have_value("The connected EV, edited in the browser.")
    form.locator("#id_functions").fill(functions)
    form.get_by_role("button", name="Save the item definition").click()
    expect(page.locator(".toast").first).to_contain_text("Item definition saved.")
    expect(page.get_by_test_id("item")).to_contain_text("The connected EV, edited in the browser.")
    tara.refresh_from_db()
    assert tara.header["item"]["description"] == "The connected EV, edited in the browser."
    assert page.console.errors == []
