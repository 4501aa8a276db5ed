"""In the browser, the TARA flow of issue 4: the engineer imports the reference model into the demo
project, freezes a baseline, re-rates an attack step in the tree editor and sees the risk fall, sends the
TARA for review; the reviewer approves it and sees the risk change in the diff; the auditor reads the history.
"""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from opencsms.organisation.demo import Demo
from tests.browser.conftest import sign_in
from tests.paths import REFERENCE

HARD = {
    "elapsed_time": "beyond_six_months",
    "specialist_expertise": "multiple_experts",
    "knowledge_of_item": "strictly_confidential",
    "window_of_opportunity": "difficult",
    "equipment": "multiple_bespoke",
}


def log_out_and_in(page: Any, username: str) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page.locator("h1")).to_have_text("Sign in")
    sign_in(page, username)


def import_and_baseline(page: Any) -> None:
    page.get_by_test_id("projects").get_by_role("link", name="Connected EV").click()
    form = page.get_by_test_id("import-tara")  # loaded into the project page by htmx
    form.locator("input[type=file]").set_input_files(str(REFERENCE))
    form.get_by_role("button", name="Import").click()
    expect(page.get_by_test_id("state")).to_have_text("Draft")
    expect(page.get_by_test_id("heat-map")).to_be_visible()
    baseline = page.get_by_test_id("baseline-form")
    baseline.locator("input[name=name]").fill("as imported")
    baseline.get_by_role("button", name="Create baseline").click()
    expect(page.get_by_test_id("baselines")).to_contain_text("as imported")


def rate_a_step(page: Any) -> None:
    page.get_by_test_id("tabs").get_by_role("link", name="Threat scenarios").click()
    page.get_by_test_id("filters").locator("input[name=q]").fill("TS-10")
    expect(page).to_have_url(re.compile(r"q=TS-10"))  # pushed: the filtered list can be bookmarked
    page.get_by_test_id("element-table").get_by_role("link", name="TS-10", exact=True).click()
    tree = page.get_by_test_id("tree")
    expect(tree.get_by_test_id("risk")).to_have_text("4")
    step = tree.locator('li[data-address="0"]')
    step.locator("summary", has_text="Rate").click()
    rate = step.get_by_test_id("rate-form")
    for factor, level in HARD.items():
        rate.locator(f"select[name=ap_{factor}]").select_option(level)
    rate.get_by_role("button", name="Save rating").click()
    expect(page.get_by_test_id("tree").get_by_test_id("risk")).to_have_text("2")  # re-evaluated, swapped in


def test_import_rate_review_approve_diff_and_history(page: Any, demo: Demo) -> None:
    page.goto("/login/")
    sign_in(page, "engineer")
    import_and_baseline(page)
    rate_a_step(page)
    page.get_by_test_id("tabs").get_by_role("link", name="Overview").click()
    page.get_by_test_id("submit-form").get_by_role("button", name="Submit for review").click()
    expect(page.get_by_test_id("state")).to_have_text("In review")
    log_out_and_in(page, "reviewer")
    page.get_by_test_id("approvals").get_by_role("link").first.click()
    page.get_by_test_id("approve-form").get_by_role("button").click()
    expect(page.get_by_test_id("state")).to_have_text("Approved")
    diff = page.get_by_test_id("diff-form")
    diff.locator("select[name=old]").select_option(label="as imported (r1)")
    diff.locator("select[name=new]").select_option(label="r1 approved (r1)")
    diff.get_by_role("button", name="Show the differences").click()
    risks = page.get_by_test_id("risk-changes")
    expect(risks).to_contain_text("TS-10")
    expect(page.get_by_test_id("element-changes")).to_contain_text("TS-10")
    log_out_and_in(page, "auditor")
    page.get_by_test_id("projects").get_by_role("link", name="Connected EV reference vehicle - TARA").click()
    history = page.get_by_test_id("history")
    expect(history).to_contain_text("tara.approved")
    expect(history).to_contain_text("tara_element.attack_tree_edited")
    expect(page.get_by_test_id("submit-form")).to_have_count(0)
    assert page.console.csp_violations() == []
    assert page.console.errors == []
