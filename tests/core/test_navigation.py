"""The header's links: each app registers its own, settings.NAVIGATION orders them in one place, and a
link registered but not ordered (or ordered but not registered) fails the system check."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client

from opencsms.core import navigation
from opencsms.core.navigation import Link
from tests.factories.core import make_user

MAIN = ("dashboard", "organisations", "findings", "incidents", "audit")
USER = ("notifications", "account", "users")


def _header_links(client: Client) -> list[str]:
    page = client.get("/organisations/", follow=True).content.decode()
    return re.findall(r'data-testid="([a-z-]+)-link"', page)


@pytest.fixture
def extra_link(monkeypatch: pytest.MonkeyPatch) -> Link:
    """A fourth app's link, registered for one test only."""
    link = Link("policies", "Policies", "organisation:organisation_list")
    monkeypatch.setattr(navigation, "_registry", {**navigation.registered()})
    navigation.register(link)
    return link


def test_every_registered_link_is_ordered_and_every_ordered_link_registered() -> None:
    assert navigation.problems() == []
    assert set(navigation.registered()) == {*MAIN, *USER}


@pytest.mark.django_db
def test_the_header_shows_each_apps_links_in_the_settings_order(client: Client, settings: Any) -> None:
    client.force_login(make_user())
    assert _header_links(client) == [*MAIN, "notifications", "account"]  # users: for superusers only
    settings.NAVIGATION = {
        "main": ("audit", "findings", "organisations", "dashboard"),
        "user": ("account", "users", "notifications"),
    }
    assert _header_links(client) == [
        "audit",
        "findings",
        "organisations",
        "dashboard",
        "account",
        "notifications",
    ]


@pytest.mark.django_db
def test_a_superuser_also_sees_the_user_administration(client: Client) -> None:
    client.force_login(make_user(admin=True))
    assert _header_links(client) == [*MAIN, *USER]


@pytest.mark.django_db
@pytest.mark.usefixtures("extra_link")
def test_another_apps_link_is_added_without_pushing_one_out(client: Client, settings: Any) -> None:
    settings.NAVIGATION = {"main": (*MAIN[:2], "policies", *MAIN[2:]), "user": USER}
    client.force_login(make_user())
    assert _header_links(client) == [
        "dashboard",
        "organisations",
        "policies",
        "findings",
        "incidents",
        "audit",
        "notifications",
        "account",
    ]


@pytest.mark.usefixtures("extra_link")
def test_a_registered_link_missing_from_the_order_fails_the_system_check() -> None:
    assert navigation.problems() == [
        "navigation link 'policies' is registered but not ordered in settings.NAVIGATION"
    ]
    with pytest.raises(SystemCheckError, match=r"opencsms\.E001"):
        call_command("check")


def test_an_ordered_link_no_app_registers_and_a_twice_ordered_one_are_problems(settings: Any) -> None:
    settings.NAVIGATION = {"main": (*MAIN, "audit", "vehicles"), "user": USER}
    assert navigation.problems() == [
        "navigation link 'audit' is ordered twice in settings.NAVIGATION",
        "settings.NAVIGATION names 'vehicles', which no app registers",
    ]


def test_a_key_registered_twice_for_another_link_is_refused() -> None:
    with pytest.raises(ImproperlyConfigured, match="registered twice"):
        navigation.register(Link("audit", "Other audit", "dashboard"))


@pytest.mark.django_db
def test_nobody_signed_in_sees_no_links(client: Client) -> None:
    assert _header_links(client) == []  # redirected to the sign-in page, whose header has no links
