"""In the browser: a person sets up an authenticator on the account page (the test reads the secret from the
page and computes the codes), signs out, signs in with the password and then a code; a wrong code and a
replayed code are refused, a recovery code works once, and the second factor is turned off (a wrong proof
refused first)."""

from __future__ import annotations

import time
from typing import Any

from playwright.sync_api import expect

from opencsms.core import totp
from opencsms.core.services import create_superuser
from opencsms.organisation.demo import Demo
from tests.browser.conftest import PASSWORDS, sign_in


def _sign_out(page: Any) -> None:
    with page.expect_navigation():  # the sign-out must land before the next page is asked for
        page.get_by_role("button", name="Log out").click()
    page.goto("/login/")


def _code_step(page: Any, code: str) -> None:
    expect(page.locator("h1")).to_have_text("Sign in: code")
    page.get_by_test_id("code-form").locator("input[name=code]").fill(code)
    page.get_by_test_id("code-form").get_by_role("button", name="Sign in").click()


def _enrol(page: Any) -> tuple[str, list[str]]:
    page.goto("/login/")
    sign_in(page, "engineer")
    page.get_by_test_id("account-link").click()
    section = page.get_by_test_id("second-factor")
    expect(section.get_by_test_id("factor-state")).to_contain_text("Off.")
    section.get_by_role("button", name="Set up an authenticator app").click()
    secret = section.get_by_test_id("factor-secret").inner_text()
    expect(section.get_by_test_id("factor-uri")).to_contain_text(f"secret={secret}")
    qr_width = section.get_by_test_id("factor-qr").evaluate("image => image.naturalWidth")
    assert qr_width > 100  # the QR code's image loaded (a data: URI the CSP allows)
    form = section.get_by_test_id("factor-confirm-form")
    form.locator("input[name=code]").fill("12345")  # too short: refused, nothing turned on
    form.get_by_role("button", name="Turn on").click()
    expect(page.get_by_test_id("form-error")).to_contain_text("does not match")
    form.locator("input[name=code]").fill(totp.code_at(secret, time.time()))
    form.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("status").first).to_contain_text("Second factor on")
    codes = section.get_by_test_id("recovery-code").all_inner_texts()
    assert len(codes) == 10
    expect(section.get_by_test_id("factor-state")).to_contain_text("On. 10 recovery codes left.")
    page.reload()
    expect(section.get_by_test_id("recovery-codes")).to_have_count(0)  # shown once
    expect(section.get_by_test_id("factor-secret")).to_have_count(0)  # never shown again
    return secret, codes


def test_sign_in_with_a_code_refuses_wrong_and_replayed_codes_and_takes_a_recovery_code_once(
    page: Any, demo: Demo
) -> None:
    secret, codes = _enrol(page)
    _sign_out(page)
    sign_in(page, "engineer")
    page.goto("/account/")  # not signed in before the code
    expect(page.locator("h1")).to_have_text("Sign in")
    sign_in(page, "engineer")
    _code_step(page, "000000" if totp.code_at(secret, time.time()) != "000000" else "111111")
    expect(page.get_by_test_id("form-error")).to_contain_text("The code is not correct")
    code = totp.code_at(secret, time.time() + totp.STEP_SECONDS)  # the next step's code: within the drift
    _code_step(page, code)
    expect(page.get_by_test_id("username")).to_have_text("engineer")
    _sign_out(page)
    sign_in(page, "engineer")
    _code_step(page, code)  # the same code again
    expect(page.get_by_test_id("form-error")).to_contain_text("used already")
    _code_step(page, codes[0])
    expect(page.get_by_test_id("username")).to_have_text("engineer")
    page.goto("/account/")
    expect(page.get_by_test_id("factor-state")).to_contain_text("9 recovery codes left")
    _sign_out(page)
    sign_in(page, "engineer")
    _code_step(page, codes[0])
    expect(page.get_by_test_id("form-error")).to_contain_text("The code is not correct")
    assert page.console.csp_violations() == []


def test_the_second_factor_is_turned_off_with_the_password_after_a_wrong_proof(page: Any, demo: Demo) -> None:
    _enrol(page)
    form = page.get_by_test_id("factor-disable-form")
    form.locator("input[name=proof]").fill("not-my-password")
    form.get_by_role("button", name="Turn off").click()
    expect(page.get_by_test_id("form-error")).to_contain_text("Neither a current code")
    expect(page.get_by_test_id("factor-state")).to_contain_text("On.")
    form.locator("input[name=proof]").fill(PASSWORDS["engineer"])
    form.get_by_role("button", name="Turn off").click()
    expect(page.get_by_role("status").first).to_contain_text("Second factor off")
    expect(page.get_by_test_id("factor-state")).to_contain_text("Off.")
    _sign_out(page)
    sign_in(page, "engineer")
    expect(page.get_by_test_id("username")).to_have_text("engineer")  # the password alone again


def test_a_required_second_factor_is_set_up_at_sign_in_before_the_administrator_is_signed_in(
    page: Any, demo: Demo, settings: Any
) -> None:
    settings.REQUIRE_TOTP = True
    page.goto("/login/")
    sign_in(page, "admin")
    expect(page.locator("h1")).to_have_text("Sign in: set up a second factor")
    secret = page.get_by_test_id("factor-secret").inner_text()
    expect(page.get_by_test_id("factor-uri")).to_contain_text(
        f"otpauth://totp/OpenCSMS:admin?secret={secret}"
    )
    form = page.get_by_test_id("code-form")
    form.locator("input[name=code]").fill("000000" if totp.code_at(secret, time.time()) != "000000" else "1")
    form.get_by_role("button", name="Turn on and sign in").click()
    expect(page.get_by_test_id("form-error")).to_contain_text("does not match")
    page.goto("/account/")  # not signed in while the second factor is not set up
    expect(page.locator("h1")).to_have_text("Sign in")
    sign_in(page, "admin")
    secret = page.get_by_test_id("factor-secret").inner_text()  # a new secret for the new attempt
    form.locator("input[name=code]").fill(totp.code_at(secret, time.time()))
    form.get_by_role("button", name="Turn on and sign in").click()
    expect(page.get_by_test_id("username")).to_have_text("admin")
    expect(page.get_by_test_id("recovery-code")).to_have_count(10)
    expect(page.get_by_test_id("factor-required")).to_contain_text("cannot be turned off")
    expect(page.get_by_test_id("factor-disable-form")).to_have_count(0)
    assert page.console.csp_violations() == []


def test_a_superuser_removes_a_lost_second_factor_on_the_users_page(page: Any, demo: Demo) -> None:
    _enrol(page)
    _sign_out(page)
    create_superuser(username="root", password="a-long-root-password-2026")
    sign_in(page, "root", "a-long-root-password-2026")
    page.get_by_test_id("users-link").click()
    row = page.locator("tr[data-user=engineer]")
    expect(row.get_by_test_id("has-second-factor")).to_be_visible()
    expect(page.locator("tr[data-user=reviewer]").get_by_test_id("has-second-factor")).to_have_count(0)
    row.get_by_role("button", name="Remove second factor").click()
    confirm = page.get_by_test_id("confirm")
    expect(confirm).to_contain_text("Remove the second factor of engineer?")
    confirm.get_by_test_id("confirm-yes").click()
    expect(page.get_by_role("status").first).to_contain_text("Second factor of engineer removed")
    expect(row.get_by_test_id("has-second-factor")).to_have_count(0)
    expect(row.get_by_role("button", name="Remove second factor")).to_have_count(0)
    _sign_out(page)
    sign_in(page, "engineer")
    expect(page.get_by_test_id("username")).to_have_text("engineer")  # the password alone again
