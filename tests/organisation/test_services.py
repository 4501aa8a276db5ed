"""Organisation services: the permission rules, audit records with actor and scope, the last administrator."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from opencsms.core import audit
from opencsms.core.audit import AuditAction
from opencsms.core.errors import Conflict, Invalid, NotFound
from opencsms.core.models import ChangeRecord
from opencsms.organisation import services
from opencsms.organisation.models import Level, Membership, Role
from tests.factories.core import make_admin, make_user
from tests.factories.organisation import make_membership, make_tree

pytestmark = pytest.mark.django_db


def last_record() -> ChangeRecord:
    return ChangeRecord.objects.order_by("-seq").first()  # type: ignore[return-value]


def test_create_organisation_is_for_superusers_and_names_its_first_administrator() -> None:
    root, boss = make_admin("root"), make_user("boss")
    with pytest.raises(PermissionDenied):
        services.create_organisation(actor=boss, name="Acme")
    organisation = services.create_organisation(actor=root, name="Acme Motors", administrator_id=boss.pk)
    assert organisation.slug == "acme-motors"
    created, added = ChangeRecord.objects.order_by("seq")
    assert (created.action, created.actor, created.scope) == (
        AuditAction.ORGANISATION_CREATED,
        root,
        f"organisation:{organisation.pk}",
    )
    assert created.after == {"name": "Acme Motors", "slug": "acme-motors"}
    assert (added.action, added.scope) == (AuditAction.MEMBER_ADDED, f"organisation:{organisation.pk}")
    assert Membership.objects.get(organisation=organisation).user == boss
    with pytest.raises(Conflict):
        services.create_organisation(actor=root, name="Acme Motors")
    with pytest.raises(Invalid):
        services.create_organisation(actor=root, name="X", slug="Not A Slug")
    assert audit.verify_chain() == []


def test_create_business_unit_and_project_need_administer_on_the_level_above() -> None:
    tree = make_tree()
    admin, manager = make_user(), make_user()
    make_membership(admin, tree.organisation, Role.ADMINISTRATOR)
    make_membership(manager, tree.organisation, Role.CYBERSECURITY_MANAGER)
    unit = services.create_business_unit(actor=admin, organisation_id=tree.organisation.pk, name="Chassis")
    entry = last_record()
    assert (entry.action, entry.actor, entry.scope) == (
        AuditAction.BUSINESS_UNIT_CREATED,
        admin,
        f"business_unit:{unit.pk}",
    )
    project = services.create_project(actor=admin, business_unit_id=unit.pk, name="Brake ECU")
    assert (last_record().action, last_record().scope) == (
        AuditAction.PROJECT_CREATED,
        f"project:{project.pk}",
    )
    with pytest.raises(PermissionDenied):
        services.create_project(actor=manager, business_unit_id=unit.pk, name="Other")
    with pytest.raises(NotFound):  # out of scope: not revealed
        services.create_project(actor=admin, business_unit_id=tree.other_project.business_unit_id, name="X")
    with pytest.raises(Conflict):
        services.create_project(actor=admin, business_unit_id=unit.pk, name="Brake ECU")


def test_add_member_records_actor_scope_and_after() -> None:
    tree = make_tree()
    manager, newcomer = make_user(), make_user()
    make_membership(manager, tree.business_unit, Role.CYBERSECURITY_MANAGER)
    with audit.correlation("req-9"):
        membership = services.add_member(
            actor=manager,
            level=Level.PROJECT,
            level_id=tree.project.pk,
            user_id=newcomer.pk,
            role=Role.ENGINEER,
        )
    entry = last_record()
    assert (entry.action, entry.actor, entry.scope, entry.correlation_id) == (
        AuditAction.MEMBER_ADDED,
        manager,
        f"project:{tree.project.pk}",
        "req-9",
    )
    assert entry.before is None
    assert entry.after == {
        "user": newcomer.pk,
        "organisation": None,
        "business_unit": None,
        "project": tree.project.pk,
        "role": "engineer",
    }
    assert membership.role == Role.ENGINEER
    with pytest.raises(Conflict):
        services.add_member(
            actor=manager,
            level=Level.PROJECT,
            level_id=tree.project.pk,
            user_id=newcomer.pk,
            role=Role.AUDITOR,
        )


@pytest.mark.parametrize("role", [Role.ENGINEER, Role.REVIEWER, Role.AUDITOR])
def test_members_are_managed_only_by_managers_and_administrators(role: Role) -> None:
    tree = make_tree()
    user = make_user()
    make_membership(user, tree.organisation, role)
    with pytest.raises(PermissionDenied):
        services.add_member(
            actor=user,
            level=Level.PROJECT,
            level_id=tree.project.pk,
            user_id=make_user().pk,
            role=Role.ENGINEER,
        )
    assert not ChangeRecord.objects.exists()


def test_only_administrators_grant_or_take_the_administrator_role() -> None:
    tree = make_tree()
    manager, engineer, admin = make_user(), make_user(), make_user()
    make_membership(manager, tree.business_unit, Role.CYBERSECURITY_MANAGER)
    make_membership(engineer, tree.business_unit, Role.ENGINEER)
    make_membership(admin, tree.business_unit, Role.ADMINISTRATOR)
    bu = {"level": Level.BUSINESS_UNIT, "level_id": tree.business_unit.pk}
    with pytest.raises(PermissionDenied):
        services.change_role(actor=manager, user_id=engineer.pk, role=Role.ADMINISTRATOR, **bu)  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied):
        services.remove_member(actor=manager, user_id=admin.pk, **bu)  # type: ignore[arg-type]
    changed = services.change_role(actor=manager, user_id=engineer.pk, role=Role.REVIEWER, **bu)  # type: ignore[arg-type]
    entry = last_record()
    assert (entry.action, entry.before["role"], entry.after["role"]) == (  # type: ignore[index]
        AuditAction.MEMBER_ROLE_CHANGED,
        "engineer",
        "reviewer",
    )
    assert changed.role == Role.REVIEWER


def test_a_supplier_guest_is_invited_to_projects_only() -> None:
    tree = make_tree()
    admin, guest = make_admin(), make_user()
    with pytest.raises(Invalid):
        services.add_member(
            actor=admin,
            level=Level.BUSINESS_UNIT,
            level_id=tree.business_unit.pk,
            user_id=guest.pk,
            role=Role.SUPPLIER_GUEST,
        )
    services.add_member(
        actor=admin, level=Level.PROJECT, level_id=tree.project.pk, user_id=guest.pk, role=Role.SUPPLIER_GUEST
    )


def test_the_last_administrator_of_an_organisation_stays() -> None:
    tree = make_tree()
    first, second = make_user(), make_user()
    make_membership(first, tree.organisation, Role.ADMINISTRATOR)
    org = {"level": Level.ORGANISATION, "level_id": tree.organisation.pk}
    with pytest.raises(Conflict):
        services.remove_member(actor=first, user_id=first.pk, **org)  # type: ignore[arg-type]
    with pytest.raises(Conflict):
        services.change_role(actor=first, user_id=first.pk, role=Role.AUDITOR, **org)  # type: ignore[arg-type]
    services.add_member(actor=first, user_id=second.pk, role=Role.ADMINISTRATOR, **org)  # type: ignore[arg-type]
    services.remove_member(actor=second, user_id=first.pk, **org)  # type: ignore[arg-type]
    entry = last_record()
    assert (entry.action, entry.actor, entry.scope, entry.after) == (
        AuditAction.MEMBER_REMOVED,
        second,
        f"organisation:{tree.organisation.pk}",
        None,
    )
    assert entry.before is not None
    assert entry.before["role"] == "administrator"
    assert list(Membership.objects.filter(organisation=tree.organisation).values_list("user", flat=True)) == [
        second.pk
    ]


def test_changing_or_removing_someone_who_is_not_a_member_is_not_found() -> None:
    tree = make_tree()
    admin = make_admin()
    with pytest.raises(NotFound):
        services.remove_member(actor=admin, level=Level.PROJECT, level_id=tree.project.pk, user_id=admin.pk)


def test_the_database_refuses_a_membership_at_two_levels_or_twice() -> None:
    tree = make_tree()
    user = make_user()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            user=user, organisation=tree.organisation, project=tree.project, role="engineer"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, role="engineer")
    make_membership(user, tree.project, Role.ENGINEER)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, project=tree.project, role="auditor")
