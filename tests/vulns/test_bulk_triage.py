"""Bulk triage of a release's findings: ticked or all matching the filter, all or nothing, each change
audited; through the service, the API and the release page's form."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from opencsms.core.errors import Invalid, NotFound
from opencsms.core.models import ChangeRecord
from opencsms.vulns import services
from opencsms.vulns.models import Finding, Release
from opencsms.vulns.selectors import FindingFilter
from tests.vulns.conftest import Team, pads_release

pytestmark = pytest.mark.django_db

NOT_AFFECTED = {"stage": "analysed", "vex_status": "not_affected", "justification": "component_not_present"}


def _ids(release: Release, *vulnerabilities: str) -> list[int]:
    return [Finding.objects.get(release=release, vulnerability_id=v).pk for v in vulnerabilities]


def _state(release: Release) -> dict[str, tuple[str, str, int]]:
    rows = Finding.objects.filter(release=release)
    return {f.vulnerability_id: (f.stage, f.vex_status, f.version) for f in rows}


def test_ticked_findings_are_triaged_each_audited(team: Team) -> None:
    release = pads_release(team)
    chosen = _ids(release, "GHSA-3", "CVE-2024-1")
    done = services.bulk_triage(
        actor=team.engineer, release_id=release.pk, finding_ids=chosen, changes=NOT_AFFECTED
    )
    assert [f.pk for f in done] == chosen
    assert _state(release) == {
        "CVE-2024-1": ("analysed", "not_affected", 2),
        "GHSA-2": ("event", "under_investigation", 1),
        "GHSA-3": ("analysed", "not_affected", 2),
    }
    records = ChangeRecord.objects.filter(action="vulns_finding.triaged").order_by("seq")
    assert [r.object_id for r in records] == [str(i) for i in chosen]
    assert [(r.before["vex_status"], r.after["vex_status"]) for r in records] == [
        ("under_investigation", "not_affected")
    ] * 2
    again = services.bulk_triage(
        actor=team.engineer, release_id=release.pk, finding_ids=chosen, changes=NOT_AFFECTED
    )
    assert len(again) == 2
    assert records.count() == 2  # unchanged findings are not written


def test_all_matching_the_filter(team: Team) -> None:
    release = pads_release(team)
    services.bulk_triage(
        actor=team.engineer, release_id=release.pk, filters=FindingFilter(q="pad", severity="unknown"),
        changes={"stage": "weakness"},
    )  # fmt: skip
    assert {v: s[0] for v, s in _state(release).items()} == {
        "CVE-2024-1": "event", "GHSA-2": "event", "GHSA-3": "weakness",
    }  # fmt: skip
    done = services.bulk_triage(
        actor=team.engineer,
        release_id=release.pk,
        filters=FindingFilter(),
        changes={"owner_id": team.engineer.pk},
    )
    assert len(done) == 3
    assert set(Finding.objects.filter(release=release).values_list("owner", flat=True)) == {team.engineer.pk}


def test_one_refusal_refuses_all_naming_each(team: Team) -> None:
    release = pads_release(team)
    services.triage_finding(actor=team.engineer, finding_id=_ids(release, "GHSA-2")[0], stage="weakness")
    services.triage_finding(actor=team.engineer, finding_id=_ids(release, "CVE-2024-1")[0], stage="analysed")
    before = _state(release)
    not_affected = {"vex_status": "not_affected", "justification": "component_not_present"}
    with pytest.raises(Invalid) as refused:
        services.bulk_triage(
            actor=team.engineer, release_id=release.pk, finding_ids=_ids(release, "GHSA-3", "GHSA-2"),
            changes=not_affected,
        )  # fmt: skip
    assert refused.value.detail == (
        f"nothing changed: 2 of 2 refused: GHSA-3 in {release}: not_affected is a conclusion: evaluate "
        f"(not_relevant) or analyse the finding first; GHSA-2 in {release}: not_affected is a conclusion: "
        "evaluate (not_relevant) or analyse the finding first"
    )
    with pytest.raises(
        Invalid, match=r"^nothing changed: 1 of 2 refused: GHSA-2 in ecu 1.0: not_affected is"
    ):
        services.bulk_triage(
            actor=team.engineer, release_id=release.pk, finding_ids=_ids(release, "CVE-2024-1", "GHSA-2"),
            changes=not_affected,
        )  # fmt: skip
    assert _state(release) == before  # CVE-2024-1 could take it, and was not written either
    assert ChangeRecord.objects.filter(action="vulns_finding.triaged").count() == 2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({}, "choose what to change"),
        ({"severity": "low"}, "severity: a bulk triage sets"),
        ({"stage": "closed"}, "use one of"),
    ],
)
def test_bad_changes_are_refused(team: Team, changes: dict[str, str], message: str) -> None:
    release = pads_release(team)
    with pytest.raises(Invalid, match=message):
        services.bulk_triage(
            actor=team.engineer, release_id=release.pk, finding_ids=_ids(release, "GHSA-2"), changes=changes
        )
    assert _state(release)["GHSA-2"] == ("event", "under_investigation", 1)


def test_who_may_and_which_findings(team: Team) -> None:
    release = pads_release(team)
    ids = _ids(release, "GHSA-2")
    with pytest.raises(PermissionDenied):
        services.bulk_triage(
            actor=team.reviewer, release_id=release.pk, finding_ids=ids, changes=NOT_AFFECTED
        )
    with pytest.raises(NotFound):
        services.bulk_triage(
            actor=team.outsider, release_id=release.pk, finding_ids=ids, changes=NOT_AFFECTED
        )
    other = pads_release(team, version="2.0")
    foreign = _ids(other, "GHSA-2")
    with pytest.raises(NotFound, match=f"no finding {foreign[0]} in {release}"):
        services.bulk_triage(
            actor=team.engineer, release_id=release.pk, finding_ids=ids + foreign, changes=NOT_AFFECTED
        )
    with pytest.raises(Invalid, match="no finding chosen"):
        services.bulk_triage(
            actor=team.engineer,
            release_id=release.pk,
            filters=FindingFilter(q="nothing"),
            changes=NOT_AFFECTED,
        )
    assert _state(release)["GHSA-2"][2] == 1


def test_the_api_triages_ticked_or_all_matching(team: Team) -> None:
    release = pads_release(team)
    client = Client()
    client.force_login(team.engineer)
    url = f"/api/v1/releases/{release.pk}/findings/bulk-triage"
    until = timezone.localdate() + dt.timedelta(days=30)
    accept = {
        "vex_status": "affected",
        "decision": "accept",
        "rationale": "low",
        "accepted_until": str(until),
    }
    ticked = client.post(
        url, {"ids": _ids(release, "GHSA-2"), "changes": accept}, content_type="application/json"
    )
    assert ticked.status_code == 200, ticked.content
    assert ticked.json() == {"count": 1, "ids": _ids(release, "GHSA-2")}
    stored = Finding.objects.get(pk=_ids(release, "GHSA-2")[0])
    assert (stored.stage, stored.decision, stored.accepted_until) == ("decided", "accept", until)
    every = client.post(
        url, {"all_matching": True, "filters": {"stage": "event"}, "changes": {"owner_id": team.engineer.pk}},
        content_type="application/json",
    )  # fmt: skip
    assert every.json()["count"] == 2
    refused = client.post(url, {"ids": _ids(release, "GHSA-3"), "changes": accept | {"accepted_until": None}},
                          content_type="application/json")  # fmt: skip
    assert refused.status_code == 422
    assert "accepting a risk needs an expiry date" in refused.json()["detail"]
    assert (
        client.post(url, {"ids": [], "changes": accept}, content_type="application/json").status_code == 422
    )


def test_the_release_page_form_triages_and_goes_back_to_the_filtered_list(team: Team) -> None:
    release = pads_release(team)
    client = Client()
    client.force_login(team.engineer)
    page = client.get(f"/releases/{release.pk}/").content.decode()
    assert 'data-testid="bulk-form"' in page
    assert page.count('name="ids"') == 3
    sent = {
        "all_matching": "on",
        "q": "pad",
        "severity": "CRITICAL",
        "sort": "-score",
        "set_stage": "weakness",
    }
    done = client.post(f"/releases/{release.pk}/findings/bulk-triage/", sent)
    assert done.status_code == 302
    assert done["Location"] == f"/releases/{release.pk}/?severity=CRITICAL&q=pad&sort=-score"
    assert {v: s[0] for v, s in _state(release).items()} == {
        "CVE-2024-1": "weakness", "GHSA-2": "event", "GHSA-3": "event",
    }  # fmt: skip
    nothing = client.post(
        f"/releases/{release.pk}/findings/bulk-triage/", {"set_stage": "weakness"}, HTTP_HX_REQUEST="true"
    )  # a refusal: an error toast
    assert "tick at least one finding" in nothing.content.decode()
    reviewer = Client()
    reviewer.force_login(team.reviewer)
    assert 'data-testid="bulk-form"' not in reviewer.get(f"/releases/{release.pk}/").content.decode()
