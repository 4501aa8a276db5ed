"""In the browser: a person's account page from the user menu (profile saved unchanged and changed, a bad
email refused with the input kept; the password changed after a refusal, then signing in with it; an API
token created, shown once, refused twice under one name, revoked), and a superuser's user administration
(a refused and an accepted new user, deactivate, activate, a new password) that others cannot open.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from opencsms.core.services import create_superuser
from opencsms.organisation.demo import Demo
from tests.browser.conftest import PASSWORDS, sign_in

NEW_PASSWORD = "Tulip-Orbit-4417"


def _confirm(page: Any, question: str) -> None:
    """Answer the page's confirmation (a modal dialog) for a destructive action."""
    confirm = page.get_by_test_id("confirm")
    expect(confirm).to_contain_text(question)
    confirm.get_by_test_id("confirm-yes").click()


def _open_account(page: Any, username: str) -> None:
    page.goto("/login/")
    sign_in(page, username)
    page.get_by_test_id("account-link").click()
    expect(page.locator("h1")).to_contain_text("Your account")


def test_the_profile_saves_unchanged_and_changed_and_refuses_a_bad_email(page: Any, demo: Demo) -> None:
    _open_account(page, "engineer")
    form = page.get_by_test_id("profile-form")
    form.get_by_role("button", name="Save profile").click()  # unchanged
    expect(page.get_by_role("status").first).to_contain_text("Profile saved.")
    expect(form.locator("input[name=email]")).to_have_value("")
    form.locator("input[name=first_name]").fill("Eva")
    form.locator("input[name=last_name]").fill("Engel")
    form.locator("input[name=email]").fill("eva@example.org")
    with page.expect_navigation():  # the save redirects back here; reloading before it lands aborts it
        form.get_by_role("button", name="Save profile").click()
    page.reload()
    expect(form.locator("input[name=first_name]")).to_have_value("Eva")
    expect(form.locator("input[name=email]")).to_have_value("eva@example.org")
    form.locator("input[name=last_name]").fill("Engel-Ek")
    form.locator("input[name=email]").fill("eva@localhost-without-dot")
    form.get_by_role("button", name="Save profile").click()
    expect(page.get_by_test_id("form-error")).to_contain_text("email: Enter a valid email address.")
    expect(form.locator("input[name=last_name]")).to_have_value("Engel-Ek")  # the input is kept
    page.goto("/account/")
    expect(form.locator("input[name=last_name]")).to_have_value("Engel")  # nothing half-saved
    assert page.console.csp_violations() == []


def test_the_password_is_changed_after_a_refusal_and_signs_in(page: Any, demo: Demo) -> None:
    _open_account(page, "reviewer")
    form = page.get_by_test_id("password-form")
    form.locator("input[name=current]").fill("not-my-password")
    form.locator("input[name=new]").fill(NEW_PASSWORD)
    form.locator("input[name=repeat]").fill(NEW_PASSWORD)
    form.get_by_role("button", name="Change password").click()
    expect(page.get_by_test_id("form-error")).to_have_text("the current password is not correct")
    form.locator("input[name=current]").fill(PASSWORDS["reviewer"])
    form.locator("input[name=new]").fill(NEW_PASSWORD)
    form.locator("input[name=repeat]").fill(NEW_PASSWORD)
    form.get_by_role("button", name="Change password").click()
    expect(page.locator("h1")).to_have_text("Sign in")
    expect(page.get_by_role("status").first).to_contain_text("Password changed")
    sign_in(page, "reviewer", PASSWORDS["reviewer"])
    expect(page.get_by_role("alert")).to_contain_text("correct user name and password")
    sign_in(page, "reviewer", NEW_PASSWORD)
    expect(page.get_by_test_id("username")).to_have_text("reviewer")


def test_an_api_token_is_shown_once_refused_under_a_taken_name_and_revoked(page: Any, demo: Demo) -> None:
    _open_account(page, "engineer")
    form = page.get_by_test_id("token-form")
    form.locator("input[name=name]").fill("ci pipeline")
    form.get_by_role("button", name="Create token").click()
    value = page.get_by_test_id("new-token-value")
    expect(value).to_contain_text("ocs_")
    answer = page.request.get("/api/v1/me", headers={"Authorization": f"Bearer {value.inner_text()}"})
    assert answer.json()["username"] == "engineer"
    page.reload()
    expect(page.get_by_test_id("new-token")).to_have_count(0)
    tokens = page.get_by_test_id("token-list")
    expect(tokens).to_contain_text("ci pipeline")
    form.locator("input[name=name]").fill("ci pipeline")
    form.get_by_role("button", name="Create token").click()
    expect(page.get_by_test_id("form-error")).to_contain_text("already have a token named 'ci pipeline'")
    expect(form.locator("input[name=name]")).to_have_value("ci pipeline")
    tokens.get_by_role("button", name="Revoke").click()
    _confirm(page, "Revoke the token ci pipeline?")
    expect(page.get_by_role("status").first).to_contain_text("API token revoked.")
    expect(tokens).to_contain_text("No API token.")
    assert page.console.csp_violations() == []


def test_a_superuser_manages_users_and_others_cannot(page: Any, demo: Demo) -> None:
    page.goto("/login/")
    sign_in(page, "admin")  # the organisation's administrator manages roles, not accounts
    expect(page.get_by_test_id("account-link")).to_be_visible()
    expect(page.get_by_test_id("users-link")).to_have_count(0)
    assert page.goto("/users/").status == 403
    page.get_by_role("button", name="Log out").click()
    create_superuser(username="root", password="a-long-root-password-2026")
    sign_in(page, "root", "a-long-root-password-2026")
    page.get_by_test_id("users-link").click()
    form = page.get_by_test_id("new-user-form")
    form.locator("input[name=username]").fill("erin")
    form.locator("input[name=email]").fill("erin@example.org")
    form.locator("input[name=password]").fill("short")
    form.get_by_role("button", name="Create user").click()
    expect(page.get_by_test_id("form-error")).to_contain_text("too short")
    expect(form.locator("input[name=email]")).to_have_value("erin@example.org")
    form.locator("input[name=password]").fill(NEW_PASSWORD)
    form.get_by_role("button", name="Create user").click()
    expect(page.get_by_role("status").first).to_contain_text("User erin created.")
    erin = page.locator('tr[data-user="erin"]')
    erin.get_by_role("button", name="Deactivate").click()
    _confirm(page, "Deactivate erin?")
    expect(erin.locator(".badge-draft")).to_have_text("deactivated")
    erin.get_by_role("button", name="Activate").click()
    expect(erin.locator(".badge-approved")).to_have_text("active")
    expect(erin.get_by_role("button", name="Deactivate")).to_be_visible()
    erin.locator("input[name=password]").fill("abc")
    erin.get_by_role("button", name="Set password").click()
    expect(page.get_by_test_id("form-error")).to_contain_text("too short")
    assert page.url.endswith("/users/")  # the page's own address, not the form's
    page.locator('tr[data-user="root"]').get_by_role("button", name="Deactivate").click()
    _confirm(page, "Deactivate root?")
    expect(page.get_by_role("status").first).to_contain_text("you cannot deactivate your own account")
    erin.locator("input[name=password]").fill("Quartz-Meadow-93")
    erin.get_by_role("button", name="Set password").click()
    expect(page.get_by_role("status").first).to_contain_text("New password set for erin.")
    page.get_by_role("button", name="Log out").click()
    sign_in(page, "erin", "Quartz-Meadow-93")
    expect(page.get_by_test_id("username")).to_have_text("erin")
    assert page.console.csp_violations() == []
