"""In the browser: sign in as the demo engineer, see the projects, open one (its history loads through htmx
under the CSP), sign out; the sign-in lockout; the administrator walks the tree and adds a member.
"""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from opencsms.organisation.demo import Demo
from tests.browser.conftest import sign_in


def test_the_engineer_signs_in_opens_the_project_and_signs_out(page: Any, demo: Demo) -> None:
    response = page.goto("/")
    assert re.search(r"/login/\?next=/$", page.url)
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    sign_in(page, "engineer")
    projects = page.get_by_test_id("projects")
    expect(projects).to_contain_text("Connected EV")
    expect(projects).to_contain_text("E/E Platform")
    expect(projects).to_contain_text("Demo Motors")
    expect(page.get_by_test_id("username")).to_have_text("engineer")
    projects.get_by_role("link", name="Connected EV").click()
    expect(page.locator("h1")).to_contain_text("Connected EV")
    expect(page.get_by_test_id("members")).to_contain_text("supplier")
    expect(page.get_by_test_id("add-member")).to_have_count(0)  # an engineer may not manage members
    expect(page.get_by_test_id("history")).to_contain_text("membership.added")  # loaded by htmx
    assert page.console.csp_violations() == []
    page.get_by_role("button", name="Log out").click()
    expect(page.locator("h1")).to_have_text("Sign in")
    page.goto("/organisations/")
    assert "/login/?next=/organisations/" in page.url
    assert page.console.errors == []


def test_repeated_wrong_passwords_lock_the_account_from_this_address(page: Any, demo: Demo) -> None:
    page.goto("/login/")
    for _ in range(4):
        sign_in(page, "reviewer", "not-the-password")
        expect(page.get_by_role("alert")).to_contain_text("correct user name and password")
    sign_in(page, "reviewer", "not-the-password")
    expect(page.get_by_role("alert")).to_contain_text("Too many failed sign-in attempts")
    sign_in(page, "reviewer")  # the right password is refused too while locked (from this address)
    expect(page.get_by_role("alert")).to_contain_text(re.compile(r"try again in (30|29|28) seconds"))
    assert page.console.csp_violations() == []


def test_the_administrator_walks_the_tree_and_adds_a_member(page: Any, demo: Demo) -> None:
    page.goto("/login/")
    sign_in(page, "admin")
    page.get_by_role("link", name="Organisations", exact=True).click()
    page.get_by_role("link", name="Demo Motors").click()
    page.get_by_test_id("children").get_by_role("link", name="E/E Platform").click()
    page.get_by_test_id("children").get_by_role("link", name="Connected EV").click()
    expect(page.locator(".breadcrumbs")).to_contain_text("Demo Motors")
    form = page.get_by_test_id("add-member")
    form.locator("select[name=user]").select_option("auditor")
    form.locator("select[name=role]").select_option("reviewer")
    form.get_by_role("button", name="Add member").click()
    expect(page.locator(".toast-success")).to_contain_text("auditor is now reviewer")
    expect(page.get_by_test_id("members")).to_contain_text("auditor")
    page.get_by_role("link", name="Audit", exact=True).click()
    expect(page.get_by_test_id("audit-log")).to_contain_text("membership.added")
    assert page.console.csp_violations() == []
    assert page.console.errors == []


def test_the_csp_watch_sees_an_inline_script(page: Any, demo: Demo) -> None:
    """The control of the checks above: an inline script is blocked and reported."""
    page.goto("/login/")
    page.evaluate("""() => {
        const script = document.createElement("script");
        script.textContent = "window.__ran = true";
        document.body.appendChild(script);
    }""")
    page.wait_for_function("window.__cspViolations.length > 0")
    assert page.console.csp_violations() == ["script-src-elem inline"]
    assert page.evaluate("window.__ran === undefined")
