"""Readable history: records described by what changed (users by name), the history paged, the audit log
filtered by user, object, action and time, its CSV export, and the chain verified from the page."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db.models import Q
from django.utils import timezone

from opencsms.core import history
from opencsms.core.models import ChangeRecord, User
from opencsms.organisation import services
from opencsms.organisation.models import Level, Role
from tests.factories.core import logged_in, make_admin, make_user
from tests.factories.organisation import Tree, make_tree

pytestmark = pytest.mark.django_db


def add(admin: User, tree: Tree, username: str, **names: str) -> User:
    user = make_user(username, **names)
    services.add_member(
        actor=admin, level=Level.PROJECT, level_id=tree.project.pk, user_id=user.pk, role=Role.ENGINEER
    )
    return user


def test_a_user_field_shows_the_users_name_not_their_number() -> None:
    admin, tree = make_admin(), make_tree()
    add(admin, tree, "dora", first_name="Dora", last_name="Kim")
    record = ChangeRecord.objects.get(action="membership.added")
    (described,) = history.described([record])
    fields = {c.field: c.after for c in described.summary}
    assert fields["user"] == "Dora Kim"
    assert fields["project"] == tree.project.pk  # other links stay ids (they are not people)
    page = (
        logged_in(admin).get(f"/audit/objects/organisation.membership/{record.object_id}/").content.decode()
    )
    assert "Dora Kim" in page


def test_the_history_is_paged() -> None:
    admin, tree = make_admin(), make_tree()
    for n in range(history.HISTORY_PAGE_SIZE + 3):
        add(admin, tree, f"u{n}")
    url = f"/audit/objects/organisation.project/{tree.project.pk}/?scope=project:{tree.project.pk}"
    client = logged_in(admin)
    first = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert first.count("<tr data-seq=") == history.HISTORY_PAGE_SIZE
    assert 'data-testid="pager"' in first
    assert "<html" not in first
    second = client.get(url + "&page=2", HTTP_HX_REQUEST="true").content.decode()
    assert second.count("<tr data-seq=") == 3


def test_the_audit_log_filters_by_user_object_action_and_time() -> None:
    admin, tree = make_admin(), make_tree()
    dora = add(admin, tree, "dora")
    add(admin, tree, "olga")
    client = logged_in(admin)
    row = 'badge-action">'
    by_action = client.get("/audit/", {"action": "membership.added"}).content.decode()
    assert by_action.count(row) == 2
    membership = ChangeRecord.objects.filter(action="membership.added").order_by("seq")[0]
    by_object = client.get("/audit/", {"obj": f"organisation.membership:{membership.object_id}"})
    assert by_object.content.decode().count(row) == 1
    named = client.get("/audit/", {"obj": f"{dora.pk} engineer at"})  # a part of its name
    assert named.content.decode().count(row) == 1
    by_user = client.get("/audit/", {"user": admin.username, "action": "membership.added"}).content.decode()
    assert by_user.count(row) == 2
    assert client.get("/audit/", {"user": dora.username}).content.decode().count(row) == 0
    today = timezone.now().date()
    assert client.get("/audit/", {"since": today + timedelta(days=1)}).content.decode().count(row) == 0
    assert (
        client.get("/audit/", {"until": today, "action": "membership.added"}).content.decode().count(row) == 2
    )


def test_bad_filters_are_refused_with_their_name() -> None:
    client = logged_in(make_admin())
    bad_date = client.get("/audit/", {"since": "yesterday"})
    assert bad_date.status_code == 422
    assert "since: Enter a valid date" in bad_date.content.decode()
    bad_action = client.get("/audit/", {"action": "tara.burnt"})
    assert bad_action.status_code == 422
    assert "action:" in bad_action.content.decode()
    backwards = client.get("/audit/", {"since": "2026-02-01", "until": "2026-01-01"})
    assert backwards.status_code == 422
    assert "until must not precede since" in backwards.content.decode()


def test_the_export_is_csv_of_the_filtered_records_the_reader_may_see() -> None:
    admin, tree = make_admin("=cmd"), make_tree()
    add(admin, tree, "dora", first_name="=HYPERLINK")
    response = logged_in(admin).get("/audit/export.csv", {"action": "membership.added"})
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="opencsms-audit.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == list(history.CSV_COLUMNS)
    assert len(rows) == 2
    record = dict(zip(rows[0], rows[1], strict=True))
    assert (record["action"], record["actor"]) == ("membership.added", "'=cmd")  # not run as a formula
    assert record["changes"] == f"project: ∅ -> {tree.project.pk}; role: ∅ -> engineer; user: ∅ -> =HYPERLINK"
    outsider = make_user("nobody")
    hidden = logged_in(outsider).get("/audit/export.csv")
    assert len(list(csv.reader(io.StringIO(b"".join(hidden.streaming_content).decode())))) == 1


def test_the_chain_is_verified_from_the_page() -> None:
    admin, tree = make_admin(), make_tree()
    add(admin, tree, "dora")
    client = logged_in(admin)
    intact = client.get("/audit/verify/", HTTP_HX_REQUEST="true").content.decode()
    count = ChangeRecord.objects.count()
    assert f"The audit chain of {count} records is intact" in intact
    edited = ChangeRecord.objects.order_by("seq").last()
    assert edited is not None
    ChangeRecord.objects.filter(pk=edited.pk).update(reason="rewritten")
    broken = client.get("/audit/verify/", HTTP_HX_REQUEST="true").content.decode()
    assert "The audit chain is broken" in broken
    assert f"record #{edited.seq}: its content does not match its hash (edited)" in broken
    assert history.check_chain().problems == [
        f"record #{edited.seq}: its content does not match its hash (edited)"
    ]
    assert history.audit_page(Q(), history.AuditFilter(action="membership.added"))[0].seq == edited.seq
