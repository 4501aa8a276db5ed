"""The organisation's pages through the Django test client: what the dashboard and the organisation list
show, scoping of level pages (404 / 403), members managed through the services, levels created below.
"""

from __future__ import annotations

import pytest

from opencsms.core.audit import AuditAction
from opencsms.core.models import ChangeRecord
from opencsms.organisation.models import Membership, Role
from tests.factories.core import logged_in, make_admin, make_user
from tests.factories.organisation import make_membership, make_tree, member

pytestmark = pytest.mark.django_db


def test_the_dashboard_and_organisation_list_show_only_what_the_user_may_see() -> None:
    tree = make_tree()
    page = member(tree, Role.ENGINEER).get("/organisations/").content.decode()
    assert "Acme" not in page  # a business unit membership does not show its organisation
    page = member(tree, Role.AUDITOR, "organisation").get("/organisations/").content.decode()
    assert "Acme" in page
    assert "Globex" not in page
    dashboard = member(tree, Role.SUPPLIER_GUEST, "project").get("/").content.decode()
    assert "Inverter" in dashboard
    assert logged_in(make_admin()).get("/organisations/").content.decode().count("/organisations/") >= 2


def test_level_pages_answer_404_outside_the_scope() -> None:
    tree = make_tree()
    client = member(tree, Role.ENGINEER)
    assert client.get(f"/business-units/{tree.business_unit.pk}/").status_code == 200
    assert client.get(f"/projects/{tree.project.pk}/").status_code == 200
    assert client.get(f"/organisations/{tree.organisation.pk}/").status_code == 404
    response = client.get(f"/projects/{tree.other_project.pk}/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_member_buttons_show_only_to_those_who_may_manage_members() -> None:
    tree = make_tree()
    project = f"/projects/{tree.project.pk}/"
    assert 'data-testid="add-member"' not in member(tree, Role.ENGINEER).get(project).content.decode()
    manager_page = member(tree, Role.CYBERSECURITY_MANAGER).get(project).content.decode()
    assert 'data-testid="add-member"' in manager_page


def test_members_are_added_changed_and_removed_through_the_services() -> None:
    tree = make_tree()
    manager, newcomer = member(tree, Role.CYBERSECURITY_MANAGER), make_user("newcomer")
    base = f"/members/project/{tree.project.pk}"
    page = f"/projects/{tree.project.pk}/"
    added = manager.post(f"{base}/add/", {"user": "newcomer", "role": "engineer"})
    assert (added.status_code, added["Location"]) == (302, page)
    assert Membership.objects.get(user=newcomer, project=tree.project).role == Role.ENGINEER
    manager.post(f"{base}/{newcomer.pk}/role/", {"role": "reviewer"})
    assert Membership.objects.get(user=newcomer, project=tree.project).role == Role.REVIEWER
    manager.post(f"{base}/{newcomer.pk}/remove/")
    assert not Membership.objects.filter(user=newcomer).exists()
    actions = list(ChangeRecord.objects.order_by("seq").values_list("action", flat=True))
    assert actions == [AuditAction.MEMBER_ADDED, AuditAction.MEMBER_ROLE_CHANGED, AuditAction.MEMBER_REMOVED]


def test_add_member_has_no_default_role_and_refuses_none() -> None:
    tree = make_tree()
    manager, _ = member(tree, Role.CYBERSECURITY_MANAGER), make_user("newcomer")
    page = manager.get(f"/projects/{tree.project.pk}/").content.decode()
    form = page.split('data-testid="add-member"')[1].split("</form>")[0]
    select = form.split('name="role"')[1].split("</select>")[0]
    assert "required" in select.split(">")[0]
    assert '<option value="" selected>Choose a role…</option>' in select
    assert " selected" not in select.replace('<option value="" selected>', "")
    referer = f"http://testserver/projects/{tree.project.pk}/"
    refused = manager.post(
        f"/members/project/{tree.project.pk}/add/", {"user": "newcomer", "role": ""}, HTTP_REFERER=referer
    )
    assert refused.status_code == 302
    assert "Choose a user and a role." in manager.get(referer).content.decode()
    assert not Membership.objects.filter(user__username="newcomer").exists()


def test_refusals_of_member_changes_map_to_403_404_and_a_message() -> None:
    tree = make_tree()
    target = make_user("target")
    engineer = member(tree, Role.ENGINEER)
    forbidden = engineer.post(
        f"/members/project/{tree.project.pk}/add/", {"user": "target", "role": "engineer"}
    )
    assert forbidden.status_code == 403
    assert "You may not do this" in forbidden.content.decode()
    hidden = engineer.post(
        f"/members/project/{tree.other_project.pk}/add/", {"user": "target", "role": "engineer"}
    )
    assert hidden.status_code == 404
    manager = member(tree, Role.CYBERSECURITY_MANAGER)
    make_membership(target, tree.project, Role.ENGINEER)
    page = f"http://testserver/projects/{tree.project.pk}/"
    conflict = manager.post(
        f"/members/project/{tree.project.pk}/add/", {"user": "target", "role": "engineer"}, HTTP_REFERER=page
    )
    assert (conflict.status_code, conflict["Location"]) == (302, page)
    assert "already a member" in manager.get(page).content.decode()


def test_administrators_create_business_units_and_projects_from_the_pages() -> None:
    tree = make_tree()
    admin = member(tree, Role.ADMINISTRATOR, "organisation")
    organisation_page = admin.get(f"/organisations/{tree.organisation.pk}/").content.decode()
    assert 'data-testid="create-child"' in organisation_page
    created = admin.post(f"/organisations/{tree.organisation.pk}/business-units/", {"name": "Chassis"})
    unit = tree.organisation.business_units.get(name="Chassis")
    assert created["Location"] == f"/business-units/{unit.pk}/"
    project = admin.post(f"/business-units/{unit.pk}/projects/", {"name": "Brake ECU", "slug": "brake"})
    assert project["Location"] == f"/projects/{unit.projects.get(slug='brake').pk}/"
    assert ChangeRecord.objects.filter(action=AuditAction.PROJECT_CREATED).count() == 1
    manager = member(tree, Role.CYBERSECURITY_MANAGER)
    unit_page = manager.get(f"/business-units/{tree.business_unit.pk}/").content.decode()
    assert 'data-testid="create-child"' not in unit_page
    assert (
        manager.post(f"/business-units/{tree.business_unit.pk}/projects/", {"name": "X"}).status_code == 403
    )
