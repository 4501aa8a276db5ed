"""Remediation SLAs over HTTP: the policy in the API (read, set with its version, refusals) and on its page,
the overdue findings in the API, on their page and as the findings list's filter. Who may call each route
is also the permission matrix's (tests/config/permissions)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from opencsms.core.models import User
from opencsms.organisation.models import Organisation, Role
from opencsms.vulns import services
from opencsms.vulns.models import Finding
from opencsms.vulns.models.sla import SlaPolicy
from tests.factories.core import make_user
from tests.factories.organisation import make_membership, make_project
from tests.factories.vulns import CRITICAL, make_release, osv, osv_bytes
from tests.vulns.conftest import Team, pads_release

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _signed_in(organisation: Organisation, role: Role, name: str) -> tuple[User, Client]:
    user = make_user(name)
    make_membership(user, organisation, role)
    client = Client()
    client.force_login(user)
    return user, client


def _late(team: Team) -> Finding:
    """CVE-2024-1 of the pads release, owned by the engineer, due 4 days ago."""
    finding = Finding.objects.get(release=pads_release(team), vulnerability_id="CVE-2024-1")
    return services.triage_finding(
        actor=team.engineer, finding_id=finding.pk, owner_id=team.engineer.pk,
        due_date=TODAY - dt.timedelta(days=4),
    )  # fmt: skip


def test_the_policy_in_the_api(team: Team) -> None:
    organisation = team.tree.organisation
    path = f"/api/v1/organisations/{organisation.pk}/sla-policy"
    _, admin = _signed_in(organisation, Role.ADMINISTRATOR, "org-admin")
    read = admin.get(path)
    assert read.status_code == 200
    assert (read.json()["own"], read.json()["version"], read.json()["kev"], read["ETag"]) == (
        False,
        0,
        14,
        '"0"',
    )
    done = admin.put(
        path, {"critical": 5, "escalation": 1}, content_type="application/json", HTTP_IF_MATCH='"0"'
    )
    assert done.status_code == 200, done.content
    body = done.json()
    assert (body["own"], body["version"], body["critical"], body["escalation"], body["high"]) == (
        True,
        1,
        5,
        1,
        30,
    )
    stale = admin.put(path, {"critical": 6, "etag": "0"}, content_type="application/json")
    assert (stale.status_code, stale.json()["code"]) == (409, "stale_version")
    invalid = admin.put(path, {"critical": 0}, content_type="application/json")
    assert invalid.status_code == 422
    _, manager = _signed_in(organisation, Role.CYBERSECURITY_MANAGER, "org-manager")
    assert manager.get(path).json()["critical"] == 5
    assert manager.put(path, {"critical": 9}, content_type="application/json").status_code == 403
    _, stranger = _signed_in(team.tree.other_organisation, Role.ADMINISTRATOR, "globex-admin")
    assert stranger.put(path, {"critical": 9}, content_type="application/json").status_code == 404
    assert stranger.get(path).status_code == 404
    assert SlaPolicy.objects.get(organisation=organisation).critical == 5


def test_overdue_findings_in_the_api_and_the_lists_filter(team: Team) -> None:
    finding = _late(team)
    _, manager = _signed_in(team.tree.organisation, Role.CYBERSECURITY_MANAGER, "org-manager")
    listed = manager.get(f"/api/v1/organisations/{team.tree.organisation.pk}/overdue-findings")
    assert listed.status_code == 200
    item = listed.json()["items"][0]
    assert (listed.json()["count"], item["id"], item["days_overdue"], item["owner"]) == (
        1,
        finding.pk,
        4,
        "engineer",
    )
    assert (item["due_from"], item["project"], item["release"]) == (
        "person",
        team.project.name,
        "ecu 1.0",
    )
    other = f"/api/v1/organisations/{team.tree.other_organisation.pk}/overdue-findings"
    assert manager.get(other).status_code == 404
    engineer = Client()
    engineer.force_login(team.engineer)
    found = engineer.get(f"/api/v1/releases/{finding.release_id}/findings?overdue=true")
    assert [f["vulnerability_id"] for f in found.json()["items"]] == ["CVE-2024-1"]
    assert len(engineer.get(f"/api/v1/releases/{finding.release_id}/findings").json()["items"]) == 3
    portfolio = engineer.get("/findings/?overdue=1").content.decode()
    assert 'data-finding="CVE-2024-1"' in portfolio
    assert 'data-finding="GHSA-2"' not in portfolio
    exported = engineer.get("/findings/export.csv?overdue=1").content.decode()
    assert "CVE-2024-1" in exported
    assert "GHSA-2" not in exported


def test_the_policy_and_overdue_pages(team: Team) -> None:
    organisation = team.tree.organisation
    late = _late(team)
    _, admin = _signed_in(organisation, Role.ADMINISTRATOR, "org-admin")
    triage = admin.get(f"/findings/{late.pk}/triage/").content.decode()
    assert "set by a person: the SLA leaves it" in triage
    page = admin.get(f"/organisations/{organisation.pk}/sla/").content.decode()
    assert 'data-testid="sla-form"' in page
    assert 'name="etag" value="0"' in page
    form = {"critical": 7, "high": 30, "medium": 90, "low": 180, "unknown": 90, "kev": 14, "escalation": 3}
    saved = admin.post(f"/organisations/{organisation.pk}/sla/edit/", {**form, "etag": "0"})
    assert saved["Location"] == f"/organisations/{organisation.pk}/sla/"
    assert SlaPolicy.objects.get(organisation=organisation).escalation == 3
    _, engineer = _signed_in(organisation, Role.ENGINEER, "org-engineer")
    shown = engineer.get(f"/organisations/{organisation.pk}/sla/").content.decode()
    assert 'data-testid="sla-form"' not in shown
    assert "3 days overdue" in shown
    refused = engineer.post(f"/organisations/{organisation.pk}/sla/edit/", {**form, "etag": "1"})
    assert refused.status_code == 403
    overdue = engineer.get(f"/organisations/{organisation.pk}/overdue/").content.decode()
    assert 'data-finding="CVE-2024-1"' in overdue
    assert '<td class="num" data-testid="days-overdue">4</td>' in overdue
    assert engineer.get(f"/organisations/{team.tree.other_organisation.pk}/overdue/").status_code == 404


def _overdue_world(rows: int) -> tuple[Client, int]:
    """An organisation's administrator, and `rows` overdue findings with owners in one release."""
    engineer, project = make_user(), make_project()
    make_membership(engineer, project, Role.ENGINEER)
    records = [osv(f"GHSA-{n}", f"lib-{n}", vector=CRITICAL) for n in range(rows)]
    services.import_advisories(actor=engineer, project_id=project.pk, raw=osv_bytes(*records))
    release = make_release(engineer, project, *(f"pkg:npm/lib-{n}@1.0.0" for n in range(rows)))
    late = TODAY - dt.timedelta(days=3)
    Finding.objects.filter(release=release).update(owner=engineer, due_date=late, due_from="person")
    organisation = project.business_unit.organisation
    _, admin = _signed_in(organisation, Role.ADMINISTRATOR, f"admin-{rows}")
    return admin, organisation.pk


def _counted(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_the_overdue_lists_make_as_many_queries_for_20_rows_as_for_1() -> None:
    counts = []
    for rows in (1, 20):
        admin, organisation = _overdue_world(rows)
        page = f"/organisations/{organisation}/overdue/"
        api = f"/api/v1/organisations/{organisation}/overdue-findings"
        counts.append((_counted(admin, page), _counted(admin, api)))
    assert counts[0] == counts[1]
