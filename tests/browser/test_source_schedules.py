"""In the browser, the organisation administrator schedules an advisory source: the form shows the saved
schedule and its next run; the scheduler's tick and the worker sync it, and the row shows the success, then a
failure with its error and the count of failures in a row; the schedule is turned off again."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from opencsms.organisation.demo import Demo
from opencsms.vulns import services
from opencsms.vulns.models import AdvisorySource
from tests.browser.conftest import sign_in
from tests.browser.test_advisory_sources import add_source
from tests.factories.vulns import osv, osv_bytes


def _tick_and_work(page: Any) -> None:
    """The scheduler's tick and the worker, with the page closed (see test_job_status._run_worker)."""
    url = page.url
    page.goto("about:blank")
    services.enqueue_due_syncs(timezone.now() + timedelta(seconds=1))
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    page.goto(url)


def test_a_source_is_scheduled_synced_by_the_scheduler_and_shows_its_status(
    page: Any, demo: Demo, settings: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "field"
    folder.mkdir()
    (folder / "GHSA-field-1.json").write_bytes(osv_bytes(osv("GHSA-field-1", "left-pad")))
    settings.OUTBOUND = {**settings.OUTBOUND, "source_directories": [str(tmp_path)]}
    page.goto("/login/")
    sign_in(page, "admin")
    page.goto(f"/organisations/{demo.organisation.pk}/advisories/")
    add_source(page, "Field advisories", "osv_path", str(folder))
    row = page.get_by_test_id("source-row").filter(has_text="Field advisories")
    schedule = row.get_by_test_id("schedule-form")
    expect(schedule.locator("select[name=every]")).to_have_value("")
    expect(row.get_by_test_id("last-success")).to_contain_text("never")
    schedule.locator("select[name=every]").select_option(label="daily")
    schedule.get_by_role("button", name="Save").click()
    expect(page.locator("#toasts")).to_contain_text("Schedule of Field advisories saved: daily.")
    expect(row.get_by_test_id("schedule-form").locator("select[name=every]")).to_have_value("86400")
    expect(row.get_by_test_id("next-run")).to_contain_text("next: ")
    _tick_and_work(page)
    expect(row.get_by_test_id("job-status")).to_have_text("done")
    expect(row).to_contain_text("1 new, 0 changed")
    expect(row.get_by_test_id("last-success")).not_to_contain_text("never")
    AdvisorySource.objects.filter(name="Field advisories").update(next_run_at=timezone.now())
    settings.OUTBOUND = {**settings.OUTBOUND, "source_directories": []}  # the operator closes folders
    _tick_and_work(page)
    expect(row.get_by_test_id("job-status")).to_have_text("failed")
    expect(row.get_by_test_id("job-error")).to_contain_text("folder sources are off")
    expect(row.get_by_test_id("failures")).to_contain_text("1 failed in a row")
    row.get_by_test_id("schedule-form").locator("select[name=every]").select_option(label="off")
    row.get_by_test_id("schedule-form").get_by_role("button", name="Save").click()
    expect(page.locator("#toasts")).to_contain_text("Schedule of Field advisories saved: off.")
    expect(row.get_by_test_id("schedule-form").locator("select[name=every]")).to_have_value("")
    expect(row.get_by_test_id("next-run")).to_have_count(0)
    assert page.console.csp_violations() == []
    assert page.console.errors == []
