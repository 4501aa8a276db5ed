"""Bulk triage on the portfolio: findings of releases of two projects (two organisations) ticked or all
matching the filter, all or nothing, each change audited, refused as a whole when a project is not
editable; through the service, the API and the portfolio page's form."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from opencsms.core.errors import Invalid, NotFound, StaleMany
from opencsms.core.models import ChangeRecord
from opencsms.organisation.models import Role
from opencsms.vulns import services
from opencsms.vulns.models import Finding, Release
from opencsms.vulns.selectors import FindingFilter
from tests.factories.organisation import make_membership
from tests.factories.vulns import make_release, osv, osv_bytes
from tests.vulns.conftest import Team, pads_release

pytestmark = pytest.mark.django_db

WEAKNESS = {"stage": "weakness"}


def _two_releases(team: Team, role_there: Role) -> tuple[Release, Release]:
    """ecu 1.0 of the team's project and gateway 2.0 of the other organisation's project, where the
    engineer holds `role_there` (a gateway finding: GHSA-2 of right-pad)."""
    ecu = pads_release(team)
    other = team.tree.other_project
    make_membership(team.engineer, other, Role.ENGINEER)
    services.import_advisories(
        actor=team.engineer, project_id=other.pk, raw=osv_bytes(osv("GHSA-2", "right-pad"))
    )
    gateway = make_release(team.engineer, other, "pkg:npm/right-pad@1.2.0", name="gateway", version="2.0")
    if role_there != Role.ENGINEER:
        team.engineer.memberships.filter(project=other).update(role=role_there)
    return ecu, gateway


def _id(release: Release, vulnerability: str) -> int:
    return Finding.objects.get(release=release, vulnerability_id=vulnerability).pk


def _stages() -> dict[str, str]:
    rows = Finding.objects.select_related("release")
    return {f"{f.vulnerability_id} {f.release.name}": f.stage for f in rows}


def test_ticked_across_projects_and_all_matching_each_audited(team: Team) -> None:
    ecu, gateway = _two_releases(team, Role.ENGINEER)
    chosen = [_id(gateway, "GHSA-2"), _id(ecu, "GHSA-3")]
    done = services.bulk_triage_portfolio(actor=team.engineer, finding_ids=chosen, changes=WEAKNESS)
    assert [f.pk for f in done] == chosen
    assert _stages() == {
        "CVE-2024-1 ecu": "event", "GHSA-2 ecu": "event", "GHSA-3 ecu": "weakness",
        "GHSA-2 gateway": "weakness",
    }  # fmt: skip
    records = ChangeRecord.objects.filter(action="vulns_finding.triaged").order_by("seq")
    assert [(r.object_id, r.actor_id, r.after["stage"]) for r in records] == [
        (str(i), team.engineer.pk, "weakness") for i in chosen
    ]
    right_pads = services.bulk_triage_portfolio(
        actor=team.engineer, filters=FindingFilter(q="right-pad"), changes={"owner_id": team.engineer.pk}
    )
    assert sorted(f.pk for f in right_pads) == sorted([_id(ecu, "GHSA-2"), _id(gateway, "GHSA-2")])
    acme = services.bulk_triage_portfolio(
        actor=team.engineer, filters=FindingFilter(), organisation_id=team.tree.organisation.pk,
        changes={"stage": "analysed"},
    )  # fmt: skip
    assert len(acme) == 3
    assert _stages()["GHSA-2 gateway"] == "weakness"  # of the other organisation: not chosen
    assert records.all().count() == 2 + 2 + 3  # .all(): not the list read above


def test_a_project_not_editable_refuses_all_and_unseen_is_not_found(team: Team) -> None:
    ecu, gateway = _two_releases(team, Role.REVIEWER)
    before = _stages()
    chosen = [_id(ecu, "GHSA-2"), _id(gateway, "GHSA-2")]
    other = team.tree.other_project.name
    with pytest.raises(PermissionDenied, match=f"you may not triage the findings of {other};"):
        services.bulk_triage_portfolio(actor=team.engineer, finding_ids=chosen, changes=WEAKNESS)
    with pytest.raises(PermissionDenied, match=other):
        services.bulk_triage_portfolio(actor=team.engineer, filters=FindingFilter(q="pad"), changes=WEAKNESS)
    with pytest.raises(NotFound, match=f"no finding {chosen[0]} in the findings you may see"):
        services.bulk_triage_portfolio(actor=team.outsider, finding_ids=chosen, changes=WEAKNESS)
    with pytest.raises(Invalid, match="no finding chosen"):
        services.bulk_triage_portfolio(actor=team.engineer, filters=FindingFilter(q="none"), changes=WEAKNESS)
    assert _stages() == before
    assert not ChangeRecord.objects.filter(action="vulns_finding.triaged").exists()


def test_one_refusal_refuses_all_naming_it(team: Team) -> None:
    ecu, gateway = _two_releases(team, Role.ENGINEER)
    services.triage_finding(actor=team.engineer, finding_id=_id(gateway, "GHSA-2"), stage="analysed")
    before = _stages()
    not_affected = {"vex_status": "not_affected", "justification": "component_not_present"}
    with pytest.raises(Invalid) as refused:
        services.bulk_triage_portfolio(
            actor=team.engineer,
            finding_ids=[_id(gateway, "GHSA-2"), _id(ecu, "GHSA-3")],
            changes=not_affected,
        )
    assert refused.value.detail == (
        f"nothing changed: 1 of 2 refused: GHSA-3 in {ecu}: not_affected is a conclusion: evaluate "
        "(not_relevant) or analyse the finding first"
    )
    with pytest.raises(Invalid, match="severity: a bulk triage sets"):
        services.bulk_triage_portfolio(
            actor=team.engineer, finding_ids=[_id(ecu, "GHSA-3")], changes={"severity": "low"}
        )
    assert _stages() == before
    assert Finding.objects.get(pk=_id(gateway, "GHSA-2")).vex_status == "under_investigation"
    assert ChangeRecord.objects.filter(action="vulns_finding.triaged").count() == 1  # the single triage


def test_the_api_and_the_page_form(team: Team) -> None:
    ecu, gateway = _two_releases(team, Role.ENGINEER)
    client = Client()
    client.force_login(team.engineer)
    chosen = [_id(ecu, "GHSA-2"), _id(gateway, "GHSA-2")]
    ticked = client.post(
        "/api/v1/findings/bulk-triage", {"ids": chosen, "changes": WEAKNESS}, content_type="application/json"
    )
    assert (ticked.status_code, ticked.json()) == (200, {"count": 2, "ids": chosen})
    every = client.post(
        "/api/v1/findings/bulk-triage",
        {"all_matching": True, "filters": {"stage": "event"}, "organisation_id": team.tree.organisation.pk,
         "changes": {"stage": "analysed"}},
        content_type="application/json",
    )  # fmt: skip
    assert (every.status_code, every.json()["count"]) == (200, 2)
    assert _stages() == {
        "CVE-2024-1 ecu": "analysed", "GHSA-2 ecu": "weakness", "GHSA-3 ecu": "analysed",
        "GHSA-2 gateway": "weakness",
    }  # fmt: skip

    page = client.get("/findings/").content.decode()
    assert 'data-testid="bulk-form"' in page
    assert page.count('name="ids"') == 4
    sent = {"all_matching": "on", "q": "right", "organisation": str(team.tree.organisation.pk),
            "sort": "-score", "set_stage": "analysed"}  # fmt: skip
    done = client.post("/findings/bulk-triage/", sent)
    assert done.status_code == 302
    assert done["Location"] == f"/findings/?q=right&sort=-score&organisation={team.tree.organisation.pk}"
    assert _stages()["GHSA-2 ecu"] == "analysed"
    assert _stages()["GHSA-2 gateway"] == "weakness"

    team.engineer.memberships.filter(project=team.tree.other_project).update(role=Role.REVIEWER)
    refused = client.post(
        "/api/v1/findings/bulk-triage", {"ids": chosen, "changes": WEAKNESS}, content_type="application/json"
    )
    assert refused.status_code == 403
    assert team.tree.other_project.name in refused.json()["detail"]
    page = client.get("/findings/").content.decode()
    assert page.count('name="ids"') == 3  # the other project's finding has no tick box
    reviewer = Client()
    reviewer.force_login(team.reviewer)
    assert 'data-testid="bulk-form"' not in reviewer.get("/findings/").content.decode()


def test_findings_changed_since_the_list_was_shown_refuse_all(team: Team) -> None:
    ecu, gateway = _two_releases(team, Role.ENGINEER)
    first, second = _id(ecu, "GHSA-2"), _id(gateway, "GHSA-2")
    client = Client()
    client.force_login(team.engineer)
    page = client.get("/findings/").content.decode()
    assert f'name="seen" value="{first}:1"' in page  # the version each row was shown at
    services.triage_finding(actor=team.engineer, finding_id=first, stage="analysed")  # someone else
    before, records = _stages(), ChangeRecord.objects.count()
    with pytest.raises(StaleMany) as refused:
        services.bulk_triage_portfolio(
            actor=team.engineer, finding_ids=[first, second], changes=WEAKNESS,
            expected={first: "1", second: "1"},
        )  # fmt: skip
    assert refused.value.detail.startswith(
        f"nothing was saved: 1 of the 2 findings chosen were changed by someone else since you saw them: "
        f"finding {first} (GHSA-2 in {ecu}) is at version 2, saved by {team.engineer.username} at "
    )
    api = client.post(
        "/api/v1/findings/bulk-triage",
        {"ids": [first, second], "changes": WEAKNESS, "expected": {str(first): '"1"', str(second): "1"}},
        content_type="application/json",
    )
    assert api.status_code == 409
    assert api.json()["code"] == "stale_version"
    assert [(s["id"], s["current_etag"]) for s in api.json()["stale"]] == [(str(first), "2")]
    assert api.json()["stale"][0]["saved_by"].startswith(team.engineer.username)
    form = {"ids": [str(first), str(second)], "seen": [f"{first}:1", f"{second}:1"], "set_stage": "weakness"}
    sent = client.post("/findings/bulk-triage/", form, HTTP_REFERER="http://testserver/findings/")
    assert (sent.status_code, sent["Location"]) == (302, "http://testserver/findings/")
    shown = client.get("/findings/").content.decode()
    assert f"finding {first} (GHSA-2 in {ecu}) is at version 2" in shown  # the message on the list
    assert (_stages(), ChangeRecord.objects.count()) == (before, records)
    release_api = client.post(
        f"/api/v1/releases/{ecu.pk}/findings/bulk-triage",
        {"ids": [first], "changes": WEAKNESS, "expected": {str(first): "1"}},
        content_type="application/json",
    )
    assert release_api.status_code == 409
    assert f'name="seen" value="{first}:2"' in client.get(f"/releases/{ecu.pk}/").content.decode()
    fresh = {**form, "seen": [f"{first}:2", f"{second}:1"]}
    assert client.post("/findings/bulk-triage/", fresh).status_code == 302
    assert _stages()["GHSA-2 gateway"] == _stages()["GHSA-2 ecu"] == "weakness"
