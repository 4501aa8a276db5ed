"""The incident pages through the Django test client: the plan form saves what it shows, a new incident
prefilled from a finding, the incident page's forms and refusals, the finding page's incident panel, the
monitoring report page and its downloads, and equal query counts for 1 and 20 incidents."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from opencsms.core.models import ChangeRecord
from opencsms.incidents.models import Incident, ResponsePlan
from opencsms.organisation.models import Level
from opencsms.vulns.models import Finding
from tests.factories.core import logged_in, make_admin
from tests.factories.incidents import CRITERIA, PLAN, make_incident, make_plan
from tests.incidents.conftest import Team

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def _text(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


def test_the_plan_form_saves_what_it_shows_and_a_stale_save_is_refused(team: Team) -> None:
    client = logged_in(team.engineer)
    url = f"/projects/{team.project.pk}/incident-plan/"
    assert 'data-testid="plan-form"' in _text(client.get(url))
    done = client.post(f"{url}save/", {**PLAN, "etag": ""})
    assert done["Location"] == url
    page = _text(client.get(url))
    for text in PLAN.values():
        assert escape(text.split("\n")[0]) in page
    assert 'name="etag" value="1"' in page
    stale = client.post(f"{url}save/", {**PLAN, "closure_actions": "Other", "etag": "0"})
    assert stale.status_code == 409
    refused = client.post(f"{url}save/", {**PLAN, "closure_criteria": "", "etag": "1"}, **HX)
    assert "closure_criteria: a plan needs at least one criterion" in _text(refused)
    assert ResponsePlan.objects.get().revision == 1
    assert "disabled" in _text(logged_in(team.auditor).get(url))


def test_an_incident_opened_from_the_finding_page_is_prefilled(team: Team, finding: Finding) -> None:
    client = logged_in(team.engineer)
    panel = _text(client.get(f"/findings/{finding.pk}/incidents/", **HX))
    new = f"/projects/{team.project.pk}/incidents/new/?finding={finding.pk}"
    assert new.replace("&", "&amp;") in panel or new in panel
    form = _text(client.get(new))
    assert f'value="CVE-2024-1 in {finding.release.name} {finding.release.version}"' in form
    assert f'<input type="hidden" name="findings" value="{finding.pk}">' in form
    assert f'<option value="{finding.release_id}" selected>' in form
    assert '<option value="critical" selected>' in form
    posted = client.post(
        f"/projects/{team.project.pk}/incidents/new/",
        {
            "title": "CVE-2024-1 in pads",
            "severity": "critical",
            "detected_at": "2026-03-01T08:00",
            "reported_by": "engineer",
            "releases": [finding.release_id],
            "findings": [finding.pk],
        },
    )
    incident = Incident.objects.get()
    assert posted["Location"] == f"/incidents/{incident.pk}/"
    assert list(incident.findings.all()) == [finding]
    assert incident.detected_at == dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)
    assert "CVE-2024-1 in pads" in _text(client.get(f"/findings/{finding.pk}/incidents/", **HX))
    assert "open-incident" not in _text(
        logged_in(team.auditor).get(f"/findings/{finding.pk}/incidents/", **HX)
    )
    assert logged_in(team.auditor).get(new).status_code == 403


def test_the_incident_page_records_and_closes(team: Team, finding: Finding) -> None:
    client = logged_in(team.engineer)
    incident = make_incident(team.engineer, finding)
    url = f"/incidents/{incident.pk}/"
    client.post(f"{url}timeline/", {"kind": "observation", "text": "Scanner traffic"})
    client.post(f"{url}actions/", {"title": "Ship 1.0.1", "owner": team.engineer.pk, "due": "2026-12-31"})
    action = incident.actions.get()
    client.post(f"{url}actions/done/", {"action": action.pk})
    client.post(f"{url}communications/", {"recipient": "OEM", "channel": "email", "summary": "Told"})
    page = _text(client.get(url))
    for text in ("Scanner traffic", "Done: Ship 1.0.1", "To OEM by email: Told", "No incident response plan"):
        assert text in page
    make_plan(team.manager, Level.PROJECT, team.project.pk)
    refused = client.post(f"{url}close/", {"confirmed": [CRITERIA[0]], "note": "x"}, **HX)
    assert f"not confirmed: {CRITERIA[1]}" in _text(refused)
    assert Incident.objects.get().status == "open"
    client.post(f"{url}close/", {"confirmed": list(CRITERIA), "note": "Fixed in 1.0.1"})
    page = _text(client.get(url))
    assert 'data-testid="closure"' in page
    assert "Fixed in 1.0.1" in page
    assert 'data-testid="entry-form"' not in page
    assert (
        ChangeRecord.objects.filter(scope=incident.scope, action__startswith="incidents_incident").count()
        == 2
    )


def test_the_edit_form_saves_the_facts_it_shows(team: Team, finding: Finding) -> None:
    client = logged_in(team.engineer)
    incident = make_incident(team.engineer, finding, detected_at=timezone.now() - dt.timedelta(days=1))
    page = _text(client.get(f"/incidents/{incident.pk}/"))
    shown = incident.detected_at.strftime("%Y-%m-%dT%H:%M")
    assert f'value="{shown}"' in page
    client.post(
        f"/incidents/{incident.pk}/edit/",
        {
            "title": "Renamed",
            "severity": "low",
            "status": "investigating",
            "detected_at": shown,
            "reported_by": "SOC",
            "description": "more",
            "etag": "1",
        },
    )
    changed = Incident.objects.get()
    assert (changed.title, changed.severity, changed.status, changed.version) == (
        "Renamed",
        "low",
        "investigating",
        2,
    )
    assert list(changed.affected_releases.all()) == []  # none chosen in the form: none kept


def test_the_report_page_and_its_downloads(team: Team) -> None:
    client = logged_in(make_admin())
    url = f"/organisations/{team.tree.organisation.pk}/monitoring-report"
    page = _text(client.get(f"{url}/", {"since": "2026-01-01", "until": "2026-12-31"}))
    assert 'data-figure="attacks_detected"' in page
    download = client.get(f"{url}.csv", {"since": "2026-01-01", "until": "2026-12-31"})
    assert download.content.decode().startswith("figure,value,answers\nincidents,0,")
    assert client.get(f"{url}.pdf").status_code == 422


def _queries(client: object, url: str) -> int:
    with CaptureQueriesContext(connection) as done:
        assert client.get(url).status_code == 200  # type: ignore[attr-defined]
    return len(done)


def test_the_lists_make_as_many_queries_for_20_incidents_as_for_1(team: Team, finding: Finding) -> None:
    client = logged_in(team.engineer)
    make_incident(team.engineer, finding, title="Incident 0")
    one = (_queries(client, "/incidents/"), _queries(client, "/api/v1/incidents"))
    for n in range(1, 20):
        make_incident(team.engineer, finding, title=f"Incident {n}")
    twenty = (_queries(client, "/incidents/"), _queries(client, "/api/v1/incidents"))
    assert twenty == one
    assert "Incident 19" in _text(client.get("/incidents/"))
