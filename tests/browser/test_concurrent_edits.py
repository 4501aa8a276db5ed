"""In the browser, two people edit the same claim (issue 11, lost updates): the engineer and the manager
open CL-01 in two browser contexts; the engineer saves first; the manager's save is refused (409) with
both values side by side inside the panel, and the manager applies theirs again on top of the current
version. Nothing of the engineer's save was lost before the manager chose to replace it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from opencsms.core.models import User
from opencsms.organisation.demo import Demo
from opencsms.tara import services
from opencsms.tara.models import Element, Kind, Tara
from tests.browser.conftest import WATCH_CSP, Console, sign_in
from tests.paths import REFERENCE


@pytest.fixture
def tara(demo: Demo) -> Tara:
    engineer = User.objects.get(username="engineer")
    return services.import_tara(
        actor=engineer, project_id=demo.project.pk, raw=REFERENCE.read_bytes(), filename=REFERENCE.name
    )


@pytest.fixture
def second_page(browser: Any, live_server: Any) -> Iterator[Any]:
    """A second browser context: another person's cookies, beside the `page` fixture's."""
    context = browser.new_context(base_url=live_server.url)
    context.add_init_script(WATCH_CSP)
    context.set_default_timeout(5000)
    page = context.new_page()
    page.console = Console(page)
    try:
        yield page
    finally:
        context.close()


def open_claim(page: Any, username: str, tara: Tara) -> Any:
    page.goto(f"/taras/{tara.pk}/claims/CL-01/")
    sign_in(page, username)
    form = page.get_by_test_id("fields-form")
    expect(form).to_be_visible()
    return form


def test_the_second_save_sees_the_conflict_and_reapplies(page: Any, second_page: Any, tara: Tara) -> None:
    engineer = open_claim(page, "engineer", tara)
    manager = open_claim(second_page, "manager", tara)
    engineer.locator("textarea[name=f_text]").fill("The engineer's claim")
    engineer.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("fields-form").locator("textarea[name=f_text]")).to_have_value(
        "The engineer's claim"
    )
    manager.locator("textarea[name=f_text]").fill("The manager's claim")
    manager.get_by_role("button", name="Save").click()
    conflict = second_page.get_by_test_id("conflict")
    expect(conflict).to_contain_text("changed by someone else")
    expect(conflict.get_by_test_id("conflict-text").get_by_test_id("theirs")).to_have_text(
        "The engineer's claim"
    )
    expect(conflict.get_by_test_id("conflict-text").get_by_test_id("yours")).to_have_text(
        "The manager's claim"
    )
    claim = Element.objects.get(tara=tara, kind=Kind.CLAIM, ref="CL-01")
    assert claim.data["text"] == "The engineer's claim"  # the refused save lost nothing
    conflict.get_by_role("button", name="Apply my values on top of theirs").click()
    expect(second_page.get_by_test_id("fields-form").locator("textarea[name=f_text]")).to_have_value(
        "The manager's claim"
    )
    claim.refresh_from_db()
    assert claim.data["text"] == "The manager's claim"
    page.reload()  # the engineer sees the manager's value and saves on top of it without a conflict
    form = page.get_by_test_id("fields-form")
    expect(form.locator("textarea[name=f_text]")).to_have_value("The manager's claim")
    form.locator("textarea[name=f_text]").fill("Agreed claim")
    form.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("fields-form").locator("textarea[name=f_text]")).to_have_value("Agreed claim")
    for each in (page, second_page):  # Chromium logs the refused save's status itself
        assert [error for error in each.console.errors if "409 (Conflict)" not in error] == []
        assert each.console.csp_violations() == []
