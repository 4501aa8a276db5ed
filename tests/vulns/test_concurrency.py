"""Optimistic concurrency of a finding's triage (core.versions): two people triage the same finding from
the same version; the second save is refused with 409 and loses nothing of the first; the API sends
the version as ETag and takes it as If-Match."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client

from opencsms.core.errors import Stale
from opencsms.core.models import ChangeRecord, User
from opencsms.organisation.models import Role
from opencsms.vulns import services
from opencsms.vulns.models import Finding
from tests.factories.core import make_user, race
from tests.factories.organisation import make_membership, member
from tests.vulns.conftest import Team, pads_release

pytestmark = pytest.mark.django_db
TRIAGE = {"stage": "weakness", "vex_status": "under_investigation"}


def _finding(team: Team) -> Finding:
    return pads_release(team).findings.get(vulnerability_id="CVE-2024-1")


def _editors(team: Team) -> tuple[Client, Client]:
    alice = Client()
    alice.force_login(team.engineer)
    return alice, member(team.tree, Role.ENGINEER, "project")


def test_the_second_triage_from_one_version_is_refused_and_loses_nothing(team: Team) -> None:
    finding = _finding(team)
    alice, bob = _editors(team)
    page = bob.get(f"/findings/{finding.pk}/").content.decode()
    seen = re.search(r'name="etag" value="(\d+)"', page)
    assert seen
    assert seen.group(1) == "1"
    path = f"/findings/{finding.pk}/triage/edit/"
    assert alice.post(path, TRIAGE | {"etag": "1", "rationale": "Alice's analysis"}).status_code == 302
    records = ChangeRecord.objects.count()
    refused = bob.post(path, TRIAGE | {"etag": "1", "rationale": "Bob's analysis"})
    assert refused.status_code == 409
    body = refused.content.decode()
    assert "Alice&#x27;s analysis" in body
    assert "Bob&#x27;s analysis" in body
    assert '<input type="hidden" name="etag" value="2">' in body
    finding.refresh_from_db()
    assert (finding.rationale, finding.version) == ("Alice's analysis", 2)
    assert ChangeRecord.objects.count() == records
    again = bob.post(path, TRIAGE | {"etag": "2", "rationale": "Bob's analysis"})
    assert again.status_code == 302
    finding.refresh_from_db()
    assert (finding.rationale, finding.version) == ("Bob's analysis", 3)


def test_applying_again_keeps_what_the_other_person_changed(team: Team) -> None:
    finding = _finding(team)
    alice, bob = _editors(team)
    path = f"/findings/{finding.pk}/triage/edit/"
    assert alice.post(path, TRIAGE | {"etag": "1"}).status_code == 302  # version 2: a weakness
    alice.post(path, TRIAGE | {"etag": "2", "rationale": "Alice's analysis"})
    refused = bob.post(path, TRIAGE | {"etag": "2", "due_date": "2030-01-31"})
    assert refused.status_code == 409
    page = refused.content.decode()
    rationale = page[page.index('data-testid="conflict-rationale"') :]
    assert '<td data-testid="who">them</td>' in rationale[: rationale.index("</tr>")]
    due = page[page.index('data-testid="conflict-due_date"') :]
    assert '<td data-testid="who">you</td>' in due[: due.index("</tr>")]
    again = bob.post(path, TRIAGE | {"etag": "3", "base": "2", "due_date": "2030-01-31"})
    assert again.status_code == 302
    finding.refresh_from_db()
    assert (finding.rationale, str(finding.due_date), finding.version) == (
        "Alice's analysis",
        "2030-01-31",
        4,
    )


def test_an_unchanged_save_keeps_the_version(team: Team) -> None:
    finding = _finding(team)
    alice, _ = _editors(team)
    path = f"/findings/{finding.pk}/triage/edit/"
    alice.post(path, TRIAGE | {"etag": "1"})
    alice.post(path, TRIAGE | {"etag": "2"})
    finding.refresh_from_db()
    assert finding.version == 2


def test_the_triage_api_sends_etags_and_refuses_a_stale_if_match(team: Team) -> None:
    finding = _finding(team)
    alice, bob = _editors(team)
    url = f"/api/v1/findings/{finding.pk}"
    read = bob.get(url)
    assert (read["ETag"], read.json()["etag"]) == ('"1"', "1")
    saved = alice.patch(url, {"stage": "weakness"}, content_type="application/json", HTTP_IF_MATCH='"1"')
    assert (saved.status_code, saved["ETag"], saved.json()["etag"]) == (200, '"2"', "2")
    refused = bob.patch(url, {"stage": "analysed"}, content_type="application/json", HTTP_IF_MATCH='"1"')
    assert refused.status_code == 409
    assert refused.json()["current_etag"] == "2"
    assert refused.json()["differences"] == [
        {"field": "stage", "current": "weakness", "yours": "analysed", "changed_by": "both"}
    ]
    assert Finding.objects.get(pk=finding.pk).stage == "weakness"
    in_body = bob.patch(url, {"stage": "analysed", "etag": "2"}, content_type="application/json")
    assert (in_body.status_code, in_body.json()["stage"]) == (200, "analysed")


@pytest.mark.postgres_only  # two connections at once: SQLite's in-memory test database is per thread
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_triages_from_one_version_one_wins(team: Team) -> None:
    finding = _finding(team)
    other = make_user("other")
    make_membership(other, team.project, Role.ENGINEER)

    def triage(actor: User, rationale: str) -> Callable[[], object]:
        return lambda: services.triage_finding(
            actor=actor, finding_id=finding.pk, stage="weakness", rationale=rationale, expected="1"
        )

    outcomes = race(triage(team.engineer, "first"), triage(other, "second"))
    saved = [o for o in outcomes if isinstance(o, Finding)]
    stale = [o for o in outcomes if isinstance(o, Stale)]
    assert (len(saved), len(stale)) == (1, 1), outcomes
    finding.refresh_from_db()
    assert (finding.rationale, finding.version) == (saved[0].rationale, 2)
    assert stale[0].current == "2"
