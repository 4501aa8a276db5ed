"""In the browser, the organisation administrator adds advisory sources under the operator's outbound
policy: a feed on a loopback address and a folder outside the allowed directories are refused with the
reason, a folder inside is added and its sync queued."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from opencsms.organisation.demo import Demo
from tests.browser.conftest import sign_in


def add_source(page: Any, name: str, kind: str, location: str) -> None:
    form = page.get_by_test_id("source-form")
    form.locator("input[name=name]").fill(name)
    form.locator("select[name=kind]").select_option(kind)
    form.locator("input[name=location]").fill(location)
    form.get_by_role("button", name="Add source").click()


def test_sources_are_refused_or_added_by_the_policy(
    page: Any, demo: Demo, settings: Any, tmp_path: Path
) -> None:
    allowed = tmp_path / "advisories"
    allowed.mkdir()
    settings.OUTBOUND = {**settings.OUTBOUND, "source_directories": [str(allowed)], "allow_hosts": []}
    page.goto("/login/")
    sign_in(page, "admin")
    page.goto(f"/organisations/{demo.organisation.pk}/advisories/")
    add_source(page, "Internal feed", "csaf_rolie", "http://127.0.0.1:9/feed.json")
    expect(page.locator("#toasts")).to_contain_text("127.0.0.1, a loopback address")
    add_source(page, "Server files", "osv_path", str(tmp_path))
    expect(page.locator("#toasts")).to_contain_text("outside the directories the operator allows")
    expect(page.get_by_test_id("sources")).to_contain_text("No source")
    add_source(page, "Go vulndb", "osv_path", str(allowed))
    expect(page.locator("#toasts")).to_contain_text("Advisory source Go vulndb created")
    expect(page.get_by_test_id("sources")).to_contain_text(str(allowed))
    page.get_by_test_id("sync-form").get_by_role("button", name="Sync now").click()
    expect(page.locator("#toasts")).to_contain_text("Sync of Go vulndb queued")
    assert page.console.csp_violations() == []
    assert page.console.errors == []
