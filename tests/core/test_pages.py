"""Core's pages through the Django test client: sign-in required and throttled, the admin's sign-in, the
error pages, no inline script or style in any template (CSP), and the history and audit pages limited to
what the reader may see. The organisation's pages are in tests/organisation/test_pages.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth.hashers import make_password
from django.template.loader import render_to_string
from django.test import Client

import opencsms
from opencsms.core.models import ChangeRecord, User
from opencsms.organisation import services
from opencsms.organisation.models import Level, Role
from tests.factories.core import logged_in, make_admin, make_user
from tests.factories.organisation import make_tree, member

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/organisations/",
        "/audit/",
        "/projects/1/",
        "/members/project/1/add/",
        "/findings/",
        "/notifications/",
    ],
)
def test_every_page_needs_a_signed_in_user(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_the_api_answers_401_itself_instead_of_redirecting(client: Client) -> None:
    assert client.get("/api/v1/me").status_code == 401


def test_sign_in_and_out(client: Client) -> None:
    User.objects.create(username="erin", password=make_password("pw-erin-123456"))
    page = client.get("/login/")
    assert page.status_code == 200
    assert "Content-Security-Policy" in page.headers
    response = client.post("/login/", {"username": "erin", "password": "pw-erin-123456"})
    assert (response.status_code, response["Location"]) == (302, "/")
    assert client.get("/").status_code == 200
    assert client.get("/logout/").status_code == 405  # sign-out is a POST form
    assert client.post("/logout/")["Location"] == "/login/"
    assert client.get("/").status_code == 302


def test_a_wrong_password_and_then_the_lockout_are_told_clearly(client: Client) -> None:
    User.objects.create(username="erin", password=make_password("pw-erin-123456"))
    wrong = client.post("/login/", {"username": "erin", "password": "nope"})
    assert wrong.status_code == 200
    assert "correct user name and password" in wrong.content.decode()
    for _ in range(4):
        locked = client.post("/login/", {"username": "erin", "password": "nope"})
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()


def test_the_admin_signs_in_through_our_throttled_page(client: Client) -> None:
    assert client.get("/admin/")["Location"] == "/admin/login/?next=/admin/"
    assert client.get("/admin/login/?next=/admin/")["Location"] == "/login/?next=/admin/"


def test_a_signed_in_user_who_is_not_a_superuser_is_refused_by_the_admin_without_a_loop(
    client: Client,
) -> None:
    client.force_login(make_user("orgadmin", is_staff=True))  # staff, but not a superuser
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain == [("/admin/login/?next=/admin/", 302)]
    assert response.status_code == 403
    assert "the admin is for superusers only" in response.content.decode()


def test_a_superuser_uses_the_admin_even_without_the_staff_flag(client: Client) -> None:
    client.force_login(make_user("root", is_superuser=True))  # e.g. made by POST /api/v1/users
    index = client.get("/admin/")
    assert index.status_code == 200
    assert "OpenCSMS administration" in index.content.decode()
    assert client.get("/admin/core/changerecord/").status_code == 200


def test_the_server_error_page_renders_without_a_request() -> None:
    page = render_to_string("500.html")
    assert "Something went wrong on the server" in page


def test_no_template_has_inline_script_or_style() -> None:
    """The CSP forbids inline script and style: every template must do without them."""
    templates = [*Path(opencsms.__file__).parent.glob("*/templates/**/*.html")]
    assert len(templates) > 10
    for template in templates:
        text = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), template
        assert not re.search(r"\sstyle=|<style|\son[a-z]+=", text), template


def test_history_shows_the_records_of_a_level_to_anyone_who_may_see_it() -> None:
    tree = make_tree()
    admin = make_admin()
    services.add_member(
        actor=admin,
        level=Level.PROJECT,
        level_id=tree.project.pk,
        user_id=make_user("dora").pk,
        role=Role.ENGINEER,
    )
    history = f"/audit/objects/organisation.project/{tree.project.pk}/?scope=project:{tree.project.pk}"
    auditor = member(tree, Role.AUDITOR, "organisation")
    page = auditor.get(history, HTTP_HX_REQUEST="true")
    assert page.status_code == 200
    assert "membership.added" in page.content.decode()
    assert "<html" not in page.content.decode()  # the partial for htmx
    outsider = logged_in(make_user())
    assert "membership.added" not in outsider.get(history).content.decode()


ADDED_ROW = 'badge-action">membership.added'  # a row of the table (the action filter names it too)


def test_the_audit_page_lists_only_records_in_the_readers_scope() -> None:
    tree = make_tree()
    admin = make_admin()
    services.add_member(
        actor=admin,
        level=Level.PROJECT,
        level_id=tree.project.pk,
        user_id=make_user("dora").pk,
        role=Role.ENGINEER,
    )
    services.add_member(
        actor=admin,
        level=Level.PROJECT,
        level_id=tree.other_project.pk,
        user_id=make_user("olga").pk,
        role=Role.ENGINEER,
    )
    auditor_page = member(tree, Role.AUDITOR, "organisation").get("/audit/").content.decode()
    assert auditor_page.count(ADDED_ROW) == 1
    assert logged_in(admin).get("/audit/").content.decode().count(ADDED_ROW) == 2


def test_the_audit_page_pages_back_with_htmx() -> None:
    admin = make_admin()
    tree = make_tree()
    users = [make_user() for _ in range(55)]
    for user in users:
        services.add_member(
            actor=admin, level=Level.PROJECT, level_id=tree.project.pk, user_id=user.pk, role=Role.ENGINEER
        )
    client = logged_in(admin)
    first = client.get("/audit/").content.decode()
    assert first.count(ADDED_ROW) == 50
    assert "Older records" in first
    last_seq = ChangeRecord.objects.order_by("seq")[5].seq
    older = client.get(f"/audit/?before={last_seq}", HTTP_HX_REQUEST="true").content.decode()
    assert older.count(ADDED_ROW) == 5
    assert "<html" not in older


def test_a_stale_form_gets_a_clear_page() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "The form has expired" in response.content.decode()
