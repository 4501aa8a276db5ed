"""In the browser: a large TARA file is imported in the background; the project page shows the import
queued, then done with a link to the TARA, and a broken file's
import failed with the engine's error.
"""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from playwright.sync_api import expect

from opencsms.organisation.demo import Demo
from tests.browser.conftest import sign_in
from tests.paths import REFERENCE


def _import(page: Any, path: Any) -> None:
    form = page.get_by_test_id("import-tara")  # loaded into the project page by htmx
    form.locator("input[type=file]").set_input_files(path)
    form.get_by_role("button", name="Import").click()


def _run_worker(page: Any) -> None:
    """Run the queued job with the page closed, then open the page again. The in-memory test database is
    shared with the live server's threads, and a poll of the page reading a table the worker is writing
    would fail there (a file database or PostgreSQL has no such problem); that the list asks again while a
    job waits is tested in tests/tara/test_pages_imports.py."""
    url = page.url
    page.goto("about:blank")
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    page.goto(url)


def test_a_background_import_shows_queued_then_done_or_failed(
    page: Any, demo: Demo, settings: Any, tmp_path: Any
) -> None:
    settings.TARA_SYNC_IMPORT_MAX_BYTES = 1000  # every file goes to the worker
    page.goto("/login/")
    sign_in(page, "engineer")
    page.get_by_test_id("projects").get_by_role("link", name="Connected EV").click()
    _import(page, str(REFERENCE))
    expect(page.get_by_role("status").first).to_contain_text("the worker imports it")
    jobs = page.get_by_test_id("import-jobs")
    expect(jobs.get_by_test_id("job-status")).to_have_text("queued")
    _run_worker(page)
    expect(jobs.get_by_test_id("job-status")).to_have_text("done", timeout=10_000)
    expect(jobs.get_by_role("link", name="Connected EV reference vehicle - TARA")).to_be_visible()
    broken = tmp_path / "broken.tara.yaml"
    broken.write_bytes(REFERENCE.read_bytes().replace(b"property: integrity\n    stride: T", b"stride: [", 1))
    _import(page, str(broken))
    first = page.get_by_test_id("import-jobs").locator("tbody tr").first
    expect(first.get_by_test_id("job-status")).to_have_text("queued")
    _run_worker(page)
    expect(first.get_by_test_id("job-status")).to_have_text("failed", timeout=10_000)
    expect(first.get_by_test_id("job-error")).to_contain_text("not a valid TARA")
    assert page.console.csp_violations() == []
    assert page.console.errors == []
