"""In the browser: the sign-in page's "Sign in with <label>" button goes to a local OpenID provider the test
starts (tests/core/oidc_provider.py), which consents at once and sends the browser back: the person lands on
the home page signed in. A person the server does not know is sent back to the sign-in page with the reason,
signed out; with single sign-on only, the password form is gone except for superusers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from opencsms.core import services
from opencsms.core.models import User
from opencsms.core.oidc import provider
from opencsms.organisation.demo import Demo
from tests.browser.conftest import PASSWORDS
from tests.core.oidc_provider import Provider, running_provider, sso_settings

ROOT_PASSWORD = "break-glass-sign-in-2026"


@pytest.fixture
def idp(settings: Any) -> Iterator[Provider]:
    with running_provider() as started:
        settings.OIDC = sso_settings(started)
        provider.forget()
        yield started
    provider.forget()


def test_the_sso_button_signs_in_through_the_provider_and_lands_on_the_home_page(
    page: Any, demo: Demo, idp: Provider
) -> None:
    engineer = User.objects.get(username="engineer")
    services.update_profile(actor=engineer, first_name="", last_name="", email="engineer@example.com")
    idp.person = {"sub": "eng-1", "email": "engineer@example.com", "email_verified": True}
    page.goto("/login/")
    button = page.get_by_test_id("sso-button")
    expect(button).to_have_text("Sign in with Test ID")
    button.click()
    expect(page.get_by_test_id("username")).to_have_text("engineer")
    expect(page).to_have_url(re.compile(r"^http://[^/]+/$"))
    assert idp.refusals == []
    assert page.console.errors == []
    assert page.console.csp_violations() == []


def test_a_person_without_an_account_is_sent_back_to_sign_in_with_the_reason(
    page: Any, demo: Demo, idp: Provider
) -> None:
    idp.person = {"sub": "stranger", "email": "stranger@example.com", "email_verified": True}
    page.goto("/login/")
    page.get_by_test_id("sso-button").click()
    expect(page.get_by_test_id("sso-error")).to_contain_text("no account has the email stranger@example.com")
    expect(page.get_by_test_id("username")).to_have_count(0)
    page.goto("/")
    expect(page.locator("h1")).to_have_text("Sign in")  # still signed out


def test_with_single_sign_on_only_the_password_form_is_for_superusers(
    page: Any, demo: Demo, idp: Provider, settings: Any
) -> None:
    settings.OIDC = {**settings.OIDC, "only": True}
    page.goto("/login/")
    expect(page.get_by_test_id("sso-button")).to_be_visible()
    expect(page.get_by_test_id("password-form")).to_have_count(0)
    page.get_by_test_id("superuser-password-link").click()
    page.fill("#id_username", "engineer")
    page.fill("#id_password", PASSWORDS["engineer"])
    page.click("button[type=submit]")
    expect(page.get_by_role("alert")).to_contain_text("Password sign-in is off on this server")
    expect(page.get_by_test_id("username")).to_have_count(0)
    services.create_superuser(username="root", password=ROOT_PASSWORD)
    page.fill("#id_username", "root")
    page.fill("#id_password", ROOT_PASSWORD)
    page.click("button[type=submit]")
    expect(page.get_by_test_id("username")).to_have_text("root")
