"""In the browser, issue 12's bulk triage: on a demo release's findings list the engineer ticks two findings
and marks them not affected in one go (confirming first), is refused as a whole when one cannot take a
change, and triages all findings matching the filter across the list's pages; on the portfolio ticks a
finding of each of two releases and triages both at once."""

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


def _all_matching_a_filter(page: Any, release: Release) -> None:
    """On the release's list filtered to the findings still at stage event, triage all matching."""
    events = Finding.objects.filter(release=release, stage="event").count()
    page.goto(f"/releases/{release.pk}/?stage=event")  # neither the two nor the demo's decided ones
    expect(page.get_by_test_id("count")).to_have_text(f"{events} findings")
    page.get_by_test_id("all-matching").check()
    page.get_by_test_id("bulk-stage").select_option("weakness")
    _apply(page)
    expect(page.locator("#toasts")).to_contain_text(f"{events} findings triaged: stage")
    expect(page).to_have_url(f"{page.url.split('?')[0]}?stage=event&sort=-score")
    expect(page.get_by_test_id("count")).to_have_text("0 findings")
    settled(page)
    assert Finding.objects.filter(release=release, stage="weakness").count() == events


def _portfolio_one_of_each_release(page: Any) -> None:
    """On the portfolio (every release on one page), tick an untriaged finding of each of the two releases
    and triage both at once."""
    by_release: dict[int, Finding] = {}
    to_triage = Finding.objects.filter(stage__in=["event", "weakness"], vex_status="under_investigation")
    for f in to_triage.select_related("release", "component").order_by("vulnerability_id"):
        by_release.setdefault(f.release_id, f)
    found = list(by_release.values())
    assert len(found) == 2  # TCU firmware's and the gateway's
    page.goto("/findings/?sort=release")
    table = page.get_by_test_id("portfolio-table")
    for f in found:
        label = f"Choose {f.vulnerability_id} in {f.component.name} of {f.release.name} {f.release.version}"
        table.get_by_role("checkbox", name=label).check()
    page.get_by_test_id("bulk-stage").select_option("analysed")
    page.get_by_test_id("bulk-vex-status").select_option("affected")
    _apply(page)
    expect(page.locator("#toasts")).to_contain_text("2 findings triaged: stage, vex_status")
    expect(page).to_have_url(f"{page.url.split('?')[0]}?sort=release")
    for f in found:
        row = page.locator(f'tr[data-finding="{f.vulnerability_id}"]', has_text=f.release.name)
        expect(row).to_contain_text("Affected")
    settled(page)
    stored = Finding.objects.filter(pk__in=[f.pk for f in found])
    assert {(f.stage, f.vex_status) for f in stored} == {("analysed", "affected")}


def test_tick_two_then_all_matching_and_a_refusal_changes_nothing(page: Any, demo: Demo) -> None:
    load_demo_releases(actor=system_user(), project_id=demo.project.pk, folder=VULN_EXAMPLES, tara_id=None)
    release = Release.objects.get(name="TCU firmware")
    rows = list(Finding.objects.filter(release=release).order_by("vulnerability_id"))
    first, second = [f for f in rows if f.stage == "event"][:2]  # not the demo's decided ones
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

    page.get_by_test_id("all-matching").check()  # every one: two analysed, the demo's decided ones
    page.get_by_test_id("bulk-vex-status").select_option("not_affected")
    page.get_by_test_id("bulk-justification").select_option("component_not_present")
    _apply(page)
    expect(page.locator("#toasts")).to_contain_text(f" of {len(rows)} refused: ")
    expect(page.locator("#toasts")).to_contain_text("nothing changed: ")
    settled(page)
    assert Finding.objects.filter(release=release, justification="component_not_present").count() == 0

    _all_matching_a_filter(page, release)
    _portfolio_one_of_each_release(page)
    assert page.console.csp_violations() == []
    assert page.console.errors == []
