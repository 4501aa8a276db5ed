"""In the browser, two people edit the same cybersecurity goal (issue 11, lost updates): the engineer and the
manager open CG-01 in two browser contexts; the engineer renames it and saves first; the manager's save of
a new description is refused (409) with the saved and their own values side by side, inside the panel,
and who changed which; the manager applies their change on top of the current version: the goal keeps
the engineer's name and gets the manager's description."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from opencsms.core.models import User
from opencsms.organisation.demo import Demo
from opencsms.tara import services
from opencsms.tara.models import Element, Kind, Tara
from tests.browser.conftest import browser_page, sign_in
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
    with browser_page(browser, live_server) as page:
        yield page


def open_goal(page: Any, username: str, tara: Tara) -> Any:
    page.goto(f"/taras/{tara.pk}/goals/CG-01/")
    sign_in(page, username)
    form = page.get_by_test_id("fields-form")
    expect(form).to_be_visible()
    return form


def goal() -> dict[str, Any]:
    return Element.objects.get(kind=Kind.GOAL, ref="CG-01").data


def test_the_second_save_sees_the_conflict_and_reapplies(page: Any, second_page: Any, tara: Tara) -> None:
    engineer = open_goal(page, "engineer", tara)
    manager = open_goal(second_page, "manager", tara)
    engineer.locator("input[name=f_name]").fill("Commands are authentic")
    engineer.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("fields-form").locator("input[name=f_name]")).to_have_value(
        "Commands are authentic"
    )
    manager.locator("textarea[name=f_description]").fill("Only legitimate senders, unmodified.")
    manager.get_by_role("button", name="Save").click()
    conflict = second_page.get_by_test_id("conflict")
    expect(conflict).to_contain_text("changed by someone else")
    expect(conflict).to_contain_text("saved by engineer")
    name = conflict.get_by_test_id("conflict-name")
    expect(name.get_by_test_id("theirs")).to_have_text("Commands are authentic")
    expect(name.get_by_test_id("who")).to_have_text("them")
    description = conflict.get_by_test_id("conflict-description")
    expect(description.get_by_test_id("yours")).to_have_text("Only legitimate senders, unmodified.")
    expect(description.get_by_test_id("who")).to_have_text("you")
    assert goal()["name"] == "Commands are authentic"  # the refused save lost nothing
    assert goal()["description"] != "Only legitimate senders, unmodified."
    conflict.get_by_role("button", name="Apply my changes on top of theirs").click()
    form = second_page.get_by_test_id("fields-form")
    expect(form.locator("textarea[name=f_description]")).to_have_value("Only legitimate senders, unmodified.")
    expect(form.locator("input[name=f_name]")).to_have_value("Commands are authentic")
    assert (goal()["name"], goal()["description"]) == (
        "Commands are authentic",
        "Only legitimate senders, unmodified.",
    )
    page.reload()  # the engineer sees both changes and saves on top of them without a conflict
    form = page.get_by_test_id("fields-form")
    expect(form.locator("textarea[name=f_description]")).to_have_value("Only legitimate senders, unmodified.")
    form.locator("input[name=f_name]").fill("Agreed name")
    # the input shows what was typed before the save answers: wait for the answer, then read the database
    with page.expect_response(lambda r: r.request.method == "GET" and r.url.endswith("/goals/CG-01/")):
        form.get_by_role("button", name="Save").click()  # htmx follows the save's redirect to the goal
    expect(page.get_by_test_id("fields-form").locator("input[name=f_name]")).to_have_value("Agreed name")
    assert (goal()["name"], goal()["description"]) == ("Agreed name", "Only legitimate senders, unmodified.")
    for each in (page, second_page):  # Chromium logs the refused save's status itself
        assert [error for error in each.console.errors if "409 (Conflict)" not in error] == []
        assert each.console.csp_violations() == []
