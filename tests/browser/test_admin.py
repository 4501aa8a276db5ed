"""In the browser: the admin opens for a superuser and refuses the demo organisation administrator with the
403 page (it used to send them back and forth between the admin and the sign-in page).
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from opencsms.core.services import create_superuser
from opencsms.organisation.demo import Demo
from tests.browser.conftest import sign_in


def test_the_organisation_administrator_is_refused_by_the_admin(page: Any, demo: Demo) -> None:
    page.goto("/login/")
    sign_in(page, "admin")
    expect(page.get_by_test_id("username")).to_have_text("admin")
    expect(page.get_by_role("link", name="Admin", exact=True)).to_have_count(0)
    response = page.goto("/admin/")
    assert response.status == 403
    expect(page.locator("h1")).to_have_text("You may not do this")
    expect(page.locator("main")).to_contain_text("the admin is for superusers only")


def test_a_superuser_signs_in_and_opens_the_admin(page: Any) -> None:
    create_superuser(username="root", password="a-long-root-password-2026")
    page.goto("/admin/")
    assert "/login/?next=/admin/" in page.url
    sign_in(page, "root", "a-long-root-password-2026")
    expect(page.locator("#site-name")).to_contain_text("OpenCSMS administration")
    page.get_by_role("link", name="Change records").click()
    expect(page.locator("h1")).to_contain_text("change record")
    assert page.console.csp_violations() == []
    page.goto("/")
    page.get_by_role("link", name="Admin", exact=True).click()
    expect(page.locator("#site-name")).to_contain_text("OpenCSMS administration")
