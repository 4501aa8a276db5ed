"""In the browser, traceability (issue 9 item 2): a goal's page shows every element that refers to it and
a person follows one; deleting the goal is refused, naming each referring element once, with links to
them; the traceability matrix highlights a gap and downloads as XLSX."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from playwright.sync_api import expect

from opencsms.core.models import User
from opencsms.organisation.demo import Demo
from opencsms.tara import services
from opencsms.tara.models import Element, Tara
from tests.browser.conftest import sign_in
from tests.paths import REFERENCE

REFERRERS = ["TS-01", "TS-03", "TS-04", "TS-36", "CR-01", "CR-02"]


@pytest.fixture
def tara(demo: Demo) -> Tara:
    engineer = User.objects.get(username="engineer")
    return services.import_tara(
        actor=engineer, project_id=demo.project.pk, raw=REFERENCE.read_bytes(), filename=REFERENCE.name
    )


def test_a_goal_shows_its_referrers_and_a_delete_names_them_once(page: Any, tara: Tara) -> None:
    page.goto("/login/")
    sign_in(page, "engineer")
    page.goto(f"/taras/{tara.pk}/goals/CG-01/")
    used_by = page.get_by_test_id("used-by")
    for ref in REFERRERS:
        expect(used_by.get_by_role("link", name=ref, exact=True)).to_have_count(1)
    used_by.get_by_role("link", name="TS-01", exact=True).click()
    expect(page).to_have_url(f"{page.url.split('/taras/')[0]}/taras/{tara.pk}/threat_scenarios/TS-01/")
    expect(page.get_by_test_id("refers-to").get_by_role("link", name="CG-01", exact=True)).to_be_visible()
    page.get_by_test_id("refers-to").get_by_role("link", name="CG-01", exact=True).click()

    page.get_by_test_id("delete-form").get_by_role("button", name="Delete CG-01").click()
    page.get_by_test_id("confirm").get_by_role("button", name="Delete CG-01").click()
    toast = page.locator(".toast").filter(has_text="cannot be deleted")
    expect(toast).to_have_count(1)
    text = toast.inner_text()
    assert "CG-01 cannot be deleted while 6 element(s) refer to it" in text
    assert [text.count(f"{ref} (") for ref in REFERRERS] == [1] * 6
    assert Element.objects.filter(tara=tara, kind="goals", ref="CG-01").exists()
    blocked = page.get_by_test_id("delete-blocked")
    expect(blocked.get_by_role("link")).to_have_count(6)
    blocked.get_by_role("link", name="CR-01", exact=True).click()
    expect(page.locator("h1")).to_contain_text("CR-01")
    assert page.console.csp_violations() == []
    assert page.console.errors == []


def test_the_matrix_highlights_a_gap_and_downloads_xlsx(page: Any, tara: Tara, tmp_path: Path) -> None:
    page.goto("/login/")
    sign_in(page, "auditor")
    page.goto(f"/taras/{tara.pk}/")
    page.get_by_test_id("tabs").get_by_role("link", name="Traceability").click()
    matrix = page.get_by_test_id("trace-matrix")
    gap = matrix.locator("tr.trace-gap[data-gap='TS-48']").first
    expect(gap).to_contain_text("threat scenario TS-48 has no goal or claim")
    missing = gap.locator("td.trace-missing")
    expect(missing).to_have_text("missing")
    colour = missing.evaluate("cell => getComputedStyle(cell).backgroundColor")
    assert colour == "rgb(253, 224, 224)"
    expect(page.get_by_test_id("gap-count")).to_have_text("11")
    with page.expect_download() as info:
        page.get_by_test_id("download-xlsx").click()
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    assert saved.name == "connected-ev-traceability.xlsx"
    book = openpyxl.load_workbook(saved)
    texts = {str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row}
    assert "threat scenario TS-48 has no goal or claim" in texts
    page.get_by_test_id("only-gaps").click()
    expect(matrix.locator("tbody tr")).to_have_count(12)
    expect(matrix.locator("tbody tr.trace-gap")).to_have_count(12)
    assert page.console.errors == []
