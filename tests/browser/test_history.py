"""In the browser, readable history (issue 9): after the engineer rates one step of an attack tree, the
element's history shows that one node's changed factors, not the whole path list; the auditor filters the
audit log by action, user and time, exports it, and verifies the chain from the page."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from opencsms.engine.labels import label
from opencsms.organisation.demo import Demo
from opencsms.tara.models import Element, Kind
from tests.browser.conftest import sign_in
from tests.browser.test_tara_workspace import HARD, import_and_baseline, log_out_and_in, rate_a_step

EDITED = "tara_element.attack_tree_edited"


def rated_node() -> str:
    """Where `rate_a_step` rated: the first step under the root gate of TS-10's first attack path."""
    tree = Element.objects.get(kind=Kind.THREAT_SCENARIO, ref="TS-10").data["attack_paths"][0]["tree"]
    gate = "and" if "and" in tree else "or"
    return f"{gate} > {tree[gate][0]['name'][:80]} > attack_potential"


def factors_changed_by_the_rating() -> list[str]:
    """The attack potential factors `rate_a_step` changes: those HARD sets to another level than the
    step had before (read before the edit)."""
    tree = Element.objects.get(kind=Kind.THREAT_SCENARIO, ref="TS-10").data["attack_paths"][0]["tree"]
    gate = "and" if "and" in tree else "or"
    before = tree[gate][0].get("attack_potential") or {}
    return sorted(factor for factor, level in HARD.items() if before.get(factor) != level)


def test_a_tree_edit_shows_the_changed_node_and_the_auditor_filters_the_log(page: Any, demo: Demo) -> None:
    page.goto("/login/")
    sign_in(page, "engineer")
    import_and_baseline(page)
    changed = factors_changed_by_the_rating()
    rate_a_step(page)
    page.reload()
    history = page.get_by_test_id("history")
    edit = history.locator("tr", has=page.locator(".badge-action", has_text=EDITED))
    expect(edit).to_have_count(1)
    changes = edit.get_by_test_id("changes").locator("li")
    expect(changes).to_have_count(len(changed))  # the factors rated, each once; nothing of the other nodes
    shown = [changes.nth(index).inner_text() for index in range(len(changed))]
    for line in shown:
        assert line.startswith(f"attack_paths > AP-10a > tree > {rated_node()}")
    for factor in changed:  # each changed factor once, before -> the level rated
        [line] = [text for text in shown if f"attack_potential · {factor}: " in text]
        assert line.endswith(f"→ {label(HARD[factor])}")  # by its label, not its id

    log_out_and_in(page, "auditor")
    page.get_by_role("link", name="Audit").click()
    audit_filter = page.get_by_test_id("audit-filter")
    audit_filter.locator("select[name=action]").select_option(EDITED)
    audit_filter.locator("input[name=user]").fill("engineer")
    audit_filter.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"action=tara_element.attack_tree_edited"))
    rows = page.get_by_test_id("audit-log").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("engineer")
    expect(rows.first.get_by_test_id("changes")).to_contain_text("attack_potential")
    audit_filter = page.get_by_test_id("audit-filter")
    audit_filter.locator("input[name=user]").fill("reviewer")
    audit_filter.get_by_role("button", name="Filter").click()
    expect(page.get_by_test_id("audit-log")).to_contain_text("No recorded changes match the filters")
    expect(page.get_by_test_id("audit-export")).to_have_attribute("href", re.compile(r"user=reviewer"))
    with page.expect_download() as download:
        page.get_by_test_id("audit-export").click()
    assert download.value.suggested_filename == "opencsms-audit.csv"
    page.get_by_test_id("audit-verify").click()
    expect(page.get_by_test_id("chain-check")).to_contain_text("is intact")
    assert page.console.csp_violations() == []
    assert page.console.errors == []
