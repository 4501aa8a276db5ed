"""The incident API over HTTP: a plan with its revision as ETag, an incident opened, changed with If-Match,
recorded on and closed, each refusal a 4xx naming the problem. Who may call each endpoint is the
permission matrix's (tests/config/permissions)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from opencsms.incidents.models import Incident
from opencsms.vulns.models import Finding
from tests.factories.core import logged_in, make_admin
from tests.factories.incidents import CRITERIA, PLAN
from tests.incidents.conftest import Team

pytestmark = pytest.mark.django_db


def send(client: Client, method: str, url: str, body: object, **headers: str) -> object:
    return client.generic(
        method, f"/api/v1{url}", json.dumps(body), content_type="application/json", **headers
    )


def test_plan_incident_timeline_and_closure_over_http(team: Team, finding: Finding) -> None:
    client = logged_in(team.engineer)
    project = team.project.pk
    assert client.get(f"/api/v1/projects/{project}/incident-plan").json() is None
    saved = send(client, "PUT", f"/projects/{project}/incident-plan", PLAN)
    assert (saved.status_code, saved["ETag"], saved.json()["criteria"]) == (200, '"1"', list(CRITERIA))
    stale = send(
        client,
        "PUT",
        f"/projects/{project}/incident-plan",
        {**PLAN, "closure_actions": "x"},
        HTTP_IF_MATCH='"0"',
    )
    assert stale.status_code == 409
    opened = send(
        client,
        "POST",
        f"/projects/{project}/incidents",
        {
            "title": "Exploit on the TCU",
            "detected_at": "2026-03-01T08:00:00Z",
            "reported_by": "SOC",
            "severity": "critical",
            "release_ids": [finding.release_id],
            "finding_ids": [finding.pk],
        },
    )
    assert opened.status_code == 201, opened.content
    body = opened.json()
    assert (body["status"], body["finding_ids"], body["affected_release_ids"]) == (
        "open",
        [finding.pk],
        [finding.release_id],
    )
    url = f"/incidents/{body['id']}"
    changed = send(client, "PATCH", url, {"status": "contained"}, HTTP_IF_MATCH='"1"')
    assert (changed.status_code, changed.json()["status"], changed["ETag"]) == (200, "contained", '"2"')
    assert send(client, "PATCH", url, {"title": "late"}, HTTP_IF_MATCH='"1"').status_code == 409
    assert send(client, "POST", f"{url}/timeline", {"kind": "decision", "text": "Patch"}).status_code == 201
    action = send(client, "POST", f"{url}/actions", {"title": "Ship 1.0.1", "owner_id": team.engineer.pk})
    assert action.status_code == 201
    done = send(client, "POST", f"{url}/actions/{action.json()['id']}/done", {})
    assert done.json()["done_at"] is not None
    told = {"recipient": "OEM", "channel": "phone", "summary": "Called"}
    assert send(client, "POST", f"{url}/communications", told).status_code == 201
    refused = send(client, "POST", f"{url}/close", {"confirmed": [CRITERIA[0]], "note": "done"})
    assert refused.status_code == 422
    assert refused.json()["detail"].endswith(f"not confirmed: {CRITERIA[1]}")
    closed = send(client, "POST", f"{url}/close", {"confirmed": list(CRITERIA), "note": "Fixed"})
    assert (closed.status_code, closed.json()["status"], closed.json()["plan_revision"]) == (200, "closed", 1)
    detail = client.get(f"/api/v1{url}").json()
    assert [e["kind"] for e in detail["timeline"]] == [
        "status_change",
        "status_change",
        "decision",
        "action",
        "communication",
        "status_change",
    ]
    assert send(client, "POST", f"{url}/timeline", {"kind": "observation", "text": "x"}).status_code == 409


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"title": "", "detected_at": "2026-03-01T08:00:00Z", "reported_by": "x"}, "title"),
        ({"title": "t", "detected_at": "yesterday", "reported_by": "x"}, "detected_at"),
        (
            {"title": "t", "detected_at": "2026-03-01T08:00:00Z", "reported_by": "x", "severity": "huge"},
            "severity",
        ),
        ({"title": "t", "detected_at": "2099-03-01T08:00:00Z", "reported_by": "x"}, "in the future"),
    ],
)
def test_bad_incidents_are_refused_with_the_problem_named(
    team: Team, body: dict[str, str], problem: str
) -> None:
    answer = send(logged_in(team.engineer), "POST", f"/projects/{team.project.pk}/incidents", body)
    assert answer.status_code == 422
    assert problem in json.dumps(answer.json())
    assert not Incident.objects.exists()


def test_the_list_shows_only_what_the_caller_may_see(team: Team, finding: Finding) -> None:
    send(
        logged_in(team.engineer),
        "POST",
        f"/projects/{team.project.pk}/incidents",
        {"title": "Seen by the team", "detected_at": "2026-03-01T08:00:00Z", "reported_by": "x"},
    )
    assert [i["title"] for i in logged_in(team.auditor).get("/api/v1/incidents").json()] == [
        "Seen by the team"
    ]
    assert logged_in(team.outsider).get("/api/v1/incidents").json() == []
    assert logged_in(team.auditor).get("/api/v1/incidents", {"status": "closed"}).json() == []


def test_a_time_without_zone_is_utc_and_nulls_and_far_dates_are_refused(team: Team) -> None:
    client = logged_in(team.engineer)
    body = {"title": "t", "detected_at": "2026-03-01T08:00:00", "reported_by": "x"}
    opened = send(client, "POST", f"/projects/{team.project.pk}/incidents", body)
    assert opened.json()["detected_at"].startswith("2026-03-01T08:00:00")
    assert Incident.objects.get().detected_at.utcoffset() is not None
    url = f"/incidents/{opened.json()['id']}"
    refused = send(client, "PATCH", url, {"title": None})
    assert (refused.status_code, refused.json()["detail"]) == (422, "title: a value is needed, not null")
    entry = send(
        client, "POST", f"{url}/timeline", {"kind": "observation", "text": "x", "at": "2026-03-02T08:00"}
    )
    assert entry.status_code == 201
    report = f"/api/v1/organisations/{team.tree.organisation.pk}/monitoring-report"
    answer = logged_in(make_admin()).get(report, {"since": "9999-01-01", "until": "9999-12-31"})
    assert (answer.status_code, answer.json()["detail"]) == (422, "the period ends too late (9999-12-31)")
