"""In the browser, bulk work on a TARA (issue 9 items 3 and 6): accept 40 generated proposals spread over two
pages by choosing all matching the filter; change the treatment decision of a filtered threat list (and
the refusal when nothing is chosen); download the filtered list as XLSX and find its rows; follow the
overview's "untreated above acceptance" count to a list of exactly that many."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from opencsms.core.models import User
from opencsms.organisation.demo import Demo
from opencsms.tara import services
from opencsms.tara.models import Element, Kind, Tara
from opencsms.tara.selectors import analysis
from tests.browser.conftest import sign_in
from tests.paths import REFERENCE

THREATS = Kind.THREAT_SCENARIO


@pytest.fixture
def tara(demo: Demo) -> Tara:
    engineer = User.objects.get(username="engineer")
    found = services.import_tara(
        actor=engineer, project_id=demo.project.pk, raw=REFERENCE.read_bytes(), filename=REFERENCE.name
    )
    services.generate_threats(actor=engineer, tara_id=found.pk, with_paths=True)
    return found


def _proposals(tara: Tara) -> list[str]:
    found = Element.objects.filter(tara=tara, kind=THREATS, status="proposed").order_by("position")
    return list(found.values_list("ref", flat=True))


def _apply(page: Any) -> None:
    page.get_by_test_id("bulk-apply").click()
    page.get_by_test_id("confirm").get_by_role("button", name="Apply").click()


def test_accept_40_proposals_across_pages_by_choosing_all_matching(
    page: Any, tara: Tara, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(analysis, "PAGE_SIZE", 20)  # 40 proposals: two pages
    engineer = User.objects.get(username="engineer")
    proposals = _proposals(tara)
    services.decide_threats(
        actor=engineer, tara_id=tara.pk, refs=proposals[40:], status="rejected", rationale="not this item"
    )
    kept = proposals[:40]
    page.goto("/login/")
    sign_in(page, "engineer")
    page.goto(f"/taras/{tara.pk}/generation/")
    page.get_by_test_id("state-filter").locator("select[name=state]").select_option("proposed")
    generated = page.get_by_test_id("generated")
    expect(generated.get_by_test_id("count")).to_contain_text("40 generated threat scenarios proposed")
    expect(generated.get_by_test_id("count")).to_contain_text("page 1 of 2")
    assert "state=proposed" in page.url
    generated.get_by_test_id("all-matching").check()
    expect(generated.locator("input[name=refs]:checked")).to_have_count(20)  # this page's rows shown ticked
    generated.get_by_test_id("accept").click()
    expect(page.locator(".toast").first).to_contain_text("40 threat scenario(s) accepted")
    statuses = dict(Element.objects.filter(tara=tara, ref__in=kept).values_list("ref", "data__status"))
    assert statuses == dict.fromkeys(kept, "accepted")  # both pages
    assert Element.objects.filter(tara=tara, ref__in=proposals[40:], data__status="rejected").count() == len(
        proposals[40:]
    )
    expect(page.get_by_test_id("generated").get_by_test_id("count")).to_contain_text(
        "0 generated threat scenarios proposed"
    )


def test_change_the_decision_of_a_filtered_threat_list_and_a_refusal(page: Any, tara: Tara) -> None:
    page.goto("/login/")
    sign_in(page, "engineer")
    page.goto(f"/taras/{tara.pk}/threat_scenarios/")
    filters = page.get_by_test_id("filters")
    filters.locator("select[name=status]").select_option("reduce")
    filters.locator("select[name=risk_min]").select_option("5")
    expect(page).to_have_url(re.compile(r"status=reduce.*risk_min=5|risk_min=5.*status=reduce"))
    wanted = set(
        Element.objects.filter(tara=tara, kind=THREATS, status="reduce", risk__gte=5).values_list(
            "ref", flat=True
        )
    )
    table = page.get_by_test_id("element-table")
    expect(table.get_by_test_id("count")).to_have_text(re.compile(rf"^{len(wanted)} entries"))
    _apply(page)  # nothing chosen: refused, nothing changed
    expect(
        page.get_by_text("tick at least one threat scenario, or choose all matching the filter")
    ).to_be_visible()
    page.goto(f"/taras/{tara.pk}/threat_scenarios/?status=reduce&risk_min=5")
    table = page.get_by_test_id("element-table")
    table.get_by_test_id("all-matching").check()
    table.get_by_test_id("bulk-decision").select_option("share")
    _apply(page)
    expect(page.locator(".toast").first).to_contain_text(f"{len(wanted)} threat scenarios changed: decision")
    shared = set(
        Element.objects.filter(tara=tara, kind=THREATS, status="share").values_list("ref", flat=True)
    )
    assert wanted <= shared
    assert Element.objects.filter(tara=tara, kind=THREATS, status="reduce", risk__gte=5).count() == 0
    assert Element.objects.filter(tara=tara, kind=THREATS, status="reduce").exists()  # the rest kept


def test_export_the_filtered_threat_list_to_xlsx(page: Any, tara: Tara) -> None:
    page.goto("/login/")
    sign_in(page, "auditor")
    page.goto(f"/taras/{tara.pk}/threat_scenarios/")
    filters = page.get_by_test_id("filters")
    filters.locator("select[name=risk_min]").select_option("4")
    filters.locator("input[name=q]").fill("G-")
    expect(page).to_have_url(re.compile(r"q=G-"))
    with page.expect_download() as made:
        page.get_by_test_id("element-table").get_by_test_id("export-xlsx").click()
    raw = made.value.path().read_bytes()
    sheet = load_workbook(io.BytesIO(raw)).active
    rows = [(r[0], r[4]) for r in sheet.iter_rows(min_row=2, values_only=True)]
    listed = Element.objects.filter(tara=tara, kind=THREATS, ref__icontains="G-", risk__gte=4)
    assert rows == list(listed.order_by("position").values_list("ref", "risk"))
    assert len(rows) > 50  # every page of the list, not the one shown


def test_the_untreated_count_leads_to_a_list_of_exactly_that_many(page: Any, tara: Tara) -> None:
    engineer = User.objects.get(username="engineer")
    services.decide_threats(actor=engineer, tara_id=tara.pk, refs=_proposals(tara)[:30], status="accepted")
    page.goto("/login/")
    sign_in(page, "engineer")
    page.goto(f"/taras/{tara.pk}/")
    count = page.get_by_test_id("untreated")
    shown = int(count.inner_text())
    assert shown > 0
    expect(page.get_by_test_id("pending")).to_contain_text("126 proposed threat scenarios")
    count.click()
    expect(page.get_by_test_id("element-table").get_by_test_id("count")).to_have_text(
        re.compile(rf"^{shown} entr")
    )


def test_remove_the_chosen_and_the_refusal_while_referenced(page: Any, tara: Tara) -> None:
    engineer = User.objects.get(username="engineer")
    services.create_element(
        actor=engineer, tara_id=tara.pk, kind="claims", data={"id": "CL-NEW", "text": "Spare"}
    )
    page.goto("/login/")
    sign_in(page, "engineer")
    page.goto(f"/taras/{tara.pk}/claims/")
    table = page.get_by_test_id("element-table")
    table.locator('input[name=refs][value="CL-01"]').check()
    table.locator('input[name=refs][value="CL-NEW"]').check()
    table.get_by_test_id("bulk-delete").click()
    page.get_by_test_id("confirm").get_by_role("button", name="Remove the chosen").click()
    expect(page.locator(".toast-error").first).to_contain_text("CL-01")  # still referenced: nothing removed
    assert Element.objects.filter(tara=tara, ref__in=["CL-01", "CL-NEW"]).count() == 2
    page.goto(f"/taras/{tara.pk}/claims/")
    table = page.get_by_test_id("element-table")
    table.locator('input[name=refs][value="CL-NEW"]').check()
    table.get_by_test_id("bulk-delete").click()
    page.get_by_test_id("confirm").get_by_role("button", name="Remove the chosen").click()
    expect(page.locator(".toast").first).to_contain_text("1 cybersecurity claims removed")
    expect(page.get_by_test_id("element-table").locator('tr[data-ref="CL-NEW"]')).to_have_count(0)
    assert not Element.objects.filter(tara=tara, ref="CL-NEW").exists()
