"""In the browser, the flow of issue 3: the engineer generates threat scenarios from the reference model's
architecture, sees them with their UN R155 Annex 5 references, rejects two with a rationale, adds an entry
point to the architecture, generates again and finds the rejections kept and the new proposals added; the
attack paths to an asset are drawn with the path highlighted, and one becomes an attack tree; the Annex 5
coverage matrix shows every Part A threat."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from opencsms.core.models import User
from opencsms.organisation.demo import Demo
from opencsms.tara import services
from opencsms.tara.models import Tara
from tests.browser.conftest import sign_in
from tests.paths import REFERENCE

NEW_ENTRY = "id: DASHCAM-WIFI\nname: Dash camera Wi-Fi\nkind: wifi\ncomponents: [IVI]\nexternal: true\n"


@pytest.fixture
def tara(demo: Demo) -> Tara:
    engineer = User.objects.get(username="engineer")
    return services.import_tara(
        actor=engineer, project_id=demo.project.pk, raw=REFERENCE.read_bytes(), filename=REFERENCE.name
    )


def generate(page: Any) -> None:
    page.get_by_test_id("generate-form").get_by_role("button", name="Generate").click()
    expect(page.locator(".toast").first).to_contain_text("Generated:")


def reject_two(page: Any) -> list[str]:
    table = page.get_by_test_id("generated")
    rows = table.locator("tbody tr")
    refs = [rows.nth(i).get_attribute("data-ref") or "" for i in range(2)]
    for ref in refs:
        table.locator(f'input[name=refs][value="{ref}"]').check()
    page.get_by_test_id("decide-actions").locator("input[name=rationale]").fill("fused off in production")
    page.get_by_test_id("decide-actions").get_by_role("button", name="Reject the ticked").click()
    confirm = page.get_by_test_id("confirm")
    expect(confirm).to_contain_text("Reject the ticked threat scenarios?")
    confirm.get_by_role("button", name="Cancel").click()  # nothing is sent
    expect(confirm).to_be_hidden()
    expect(table.locator('span[data-testid="status"]', has_text="Rejected")).to_have_count(0)
    page.get_by_test_id("decide-actions").get_by_role("button", name="Reject the ticked").click()
    confirm.get_by_role("button", name="Reject the ticked").click()
    expect(page.locator(".toast").first).to_contain_text("2 threat scenario(s) rejected")
    return refs


def add_entry_point(page: Any, tara: Tara) -> None:
    page.goto(f"/taras/{tara.pk}/interfaces/")
    create = page.get_by_test_id("element-create")
    create.locator("summary").click()
    create.locator("textarea[name=yaml]").fill(NEW_ENTRY)
    create.get_by_role("button", name="Create").click()
    expect(page.locator("h1")).to_contain_text("DASHCAM-WIFI")


def test_generate_reject_regenerate_paths_and_coverage(page: Any, tara: Tara) -> None:
    page.goto("/login/")
    sign_in(page, "engineer")
    page.goto(f"/taras/{tara.pk}/")
    page.get_by_test_id("tabs").get_by_role("link", name="Threat generation").click()
    proposed = int(page.get_by_test_id("plan-add").inner_text())
    assert proposed > 0
    generate(page)
    expect(page.get_by_test_id("generated").get_by_test_id("count")).to_contain_text(f"{proposed} generated")
    first = page.get_by_test_id("generated").locator("tbody tr").first.locator("td")
    expect(first.nth(5)).to_have_text(re.compile(r"\d+\.\d+"))  # the UN R155 Annex 5 threats it covers
    expect(first.nth(7)).to_have_text(re.compile(r"^[1-5]$"))  # rated at once by its best attack path
    rejected = reject_two(page)
    add_entry_point(page, tara)
    page.get_by_test_id("tabs").get_by_role("link", name="Threat generation").click()
    assert int(page.get_by_test_id("plan-add").inner_text()) > 0
    generate(page)
    filters = page.get_by_test_id("state-filter")
    filters.locator("select[name=state]").select_option("rejected")
    expect(page).to_have_url(re.compile(r"state=rejected"))  # pushed: the filtered list can be bookmarked
    table = page.get_by_test_id("generated")
    for ref in rejected:
        expect(table.locator(f'tr[data-ref="{ref}"]')).to_contain_text("fused off in production")
    filters.locator("select[name=state]").select_option("proposed")
    filters.locator("input[name=q]").fill("DASHCAM")
    expect(page).to_have_url(re.compile(r"q=DASHCAM"))
    new = page.get_by_test_id("generated").locator("tbody tr")
    expect(new.first).to_have_attribute("data-ref", re.compile(r"-DASHCAM-WIFI$"))

    page.get_by_test_id("tabs").get_by_role("link", name="Attack paths").click()
    page.get_by_test_id("paths-form").locator("select[name=asset]").select_option("A-01")
    paths = page.get_by_test_id("path")
    expect(paths).to_have_count(3)
    expect(paths.first.locator("svg path.hop")).to_have_count(2)  # highlighted: attacker -> CELL -> TCU
    assert paths.first.locator("svg path.hop").first.get_attribute("stroke") == "#C62828"
    page.get_by_test_id("attach-form").get_by_role("button", name="Add as attack trees").click()
    expect(page.get_by_test_id("tree")).to_contain_text("TS-08.AP1")

    page.get_by_test_id("tabs").get_by_role("link", name="R155 Annex 5").click()
    expect(page.get_by_test_id("annex5-threats").locator("tbody tr[data-id]")).to_have_count(72)
    expect(page.get_by_test_id("count-uncovered")).to_have_text("0")
    assert page.console.errors == []
    assert page.console.csp_violations() == []
