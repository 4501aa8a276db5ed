"""In the browser, issue 12's bulk triage: on a demo release's findings list the engineer ticks two findings
and marks them not affected in one go (confirming first), is refused as a whole when one cannot take a
change, and triages all findings matching the filter across the list's pages."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from opencsms.core.services import system_user
from opencsms.organisation.demo import Demo
from opencsms.vulns.demo import load_demo_releases
from opencsms.vulns.models import Finding, Release
from tests.browser.conftest import settled, sign_in
from tests.factories.workspace import VULN_EXAMPLES


def _apply(page: Any) -> None:
    page.get_by_test_id("bulk-apply").click()
    page.get_by_test_id("confirm-yes").click()


def _download(page: Any) -> list[dict[str, str]]:
    with page.expect_download() as download:
        page.get_by_test_id("export-csv").click()
    return list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))


def test_tick_two_then_all_matching_and_a_refusal_changes_nothing(page: Any, demo: Demo) -> None:
    load_demo_releases(actor=system_user(), project_id=demo.project.pk, folder=VULN_EXAMPLES, tara_id=None)
    release = Release.objects.get(name="TCU firmware")
    rows = list(Finding.objects.filter(release=release).order_by("vulnerability_id"))
    first, second = rows[0], rows[1]
    page.goto("/login/")
    sign_in(page, "engineer")
    page.goto(f"/releases/{release.pk}/")
    table = page.get_by_test_id("finding-table")
    table.get_by_role("checkbox", name=f"Choose {first.vulnerability_id} in {first.component.name}").check()
    table.get_by_role("checkbox", name=f"Choose {second.vulnerability_id} in {second.component.name}").check()
    page.get_by_test_id("bulk-stage").select_option("analysed")
    page.get_by_test_id("bulk-vex-status").select_option("not_affected")
    page.get_by_test_id("bulk-justification").select_option("vulnerable_code_not_in_execute_path")
    _apply(page)
    expect(page.locator("#toasts")).to_contain_text("2 findings triaged: stage, vex_status, justification")
    for chosen in (first, second):
        expect(page.locator(f'tr[data-finding="{chosen.vulnerability_id}"]')).to_contain_text("Not affected")
    settled(page)
    assert sorted(
        Finding.objects.filter(release=release, vex_status="not_affected").values_list("pk", flat=True)
    ) == sorted([first.pk, second.pk])

    table = _download(page)  # the list as it is, as CSV
    assert len(table) == len(rows)
    assert sorted(r["vulnerability_id"] for r in table if r["vex_status"] == "not_affected") == sorted(
        [first.vulnerability_id, second.vulnerability_id]
    )

    page.get_by_test_id("all-matching").check()  # every one: two analysed, one accepted (affected)
    page.get_by_test_id("bulk-vex-status").select_option("not_affected")
    page.get_by_test_id("bulk-justification").select_option("component_not_present")
    _apply(page)
    expect(page.locator("#toasts")).to_contain_text(
        f"nothing changed: {len(rows) - 2} of {len(rows)} refused"
    )
    settled(page)
    assert Finding.objects.filter(release=release, justification="component_not_present").count() == 0

    page.goto(f"/releases/{release.pk}/?stage=event")  # neither the two nor the demo's accepted one
    expect(page.get_by_test_id("count")).to_have_text(f"{len(rows) - 3} findings")
    page.get_by_test_id("all-matching").check()
    page.get_by_test_id("bulk-stage").select_option("weakness")
    _apply(page)
    expect(page.locator("#toasts")).to_contain_text(f"{len(rows) - 3} findings triaged: stage")
    expect(page).to_have_url(f"{page.url.split('?')[0]}?stage=event&sort=-score")
    expect(page.get_by_test_id("count")).to_have_text("0 findings")
    settled(page)
    assert Finding.objects.filter(release=release, stage="weakness").count() == len(rows) - 3
    assert page.console.csp_violations() == []
    assert page.console.errors == []
