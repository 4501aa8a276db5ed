"""In the browser, the database out of reach: a signed-in person opening a page sees "Service unavailable"
with the request id and a way to try again (503, not the 500 page), and once the database answers again
"Try again" shows the page, still signed in (core/unavailable.py)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from opencsms.organisation.demo import Demo
from tests.browser.conftest import sign_in
from tests.factories.outage import database_down


def test_a_page_during_an_outage_says_so_and_works_again_afterwards(page: Any, demo: Demo) -> None:
    page.goto("/login/")
    sign_in(page, "engineer")
    expect(page.get_by_role("link", name=demo.project.name).first).to_be_visible()
    with database_down():
        answer = page.goto("/")
        assert answer.status == 503
        assert answer.headers["retry-after"] == "5"
        expect(page.get_by_role("heading", name="Service unavailable")).to_be_visible()
        expect(
            page.get_by_text("The database is unavailable; retry in a few seconds (request id")
        ).to_be_visible()
    page.get_by_role("link", name="Try again").click()
    expect(page.get_by_role("link", name=demo.project.name).first).to_be_visible()
    assert page.url.endswith("/")  # the same page, and not the sign-in page: the session survived
    assert page.console.csp_violations() == []
