"""The loop closed by the organisation's rule: new findings propose or apply re-ratings of the attack steps
on their component; a person confirms or rejects a proposal; a triage that closes a finding reverses it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from opencsms.core.errors import Conflict, Invalid, NotFound
from opencsms.core.models import ChangeRecord, User
from opencsms.core.services import system_user
from opencsms.organisation.models import Role
from opencsms.tara import services as tara_services
from opencsms.tara.models import Element, Kind, Tara
from opencsms.vulns import services
from opencsms.vulns.models import Finding, LinkStatus, LoopMode, LoopRule, Notification, StepLink
from opencsms.vulns.selectors.tara_loop import step_at
from tests.factories.core import make_user
from tests.factories.organisation import make_membership
from tests.factories.vulns import CRITICAL, MEDIUM, make_release, osv, osv_bytes
from tests.vulns.conftest import Team

pytestmark = pytest.mark.django_db

NETWORK = "AV:N/AC:L/PR:N/UI:N"  # the CRITICAL vector's exploitability part
LOCAL = "AV:L/AC:H/PR:L/UI:N"  # the MEDIUM one's


def _admin(team: Team) -> User:
    """A cybersecurity manager of the whole organisation: who may set its rule."""
    user = make_user("org-manager")
    make_membership(user, team.tree.organisation, Role.CYBERSECURITY_MANAGER)
    return user


def _rule(team: Team, mode: str) -> User:
    admin = _admin(team)
    services.set_tara_loop_rule(actor=admin, organisation_id=team.tree.organisation.pk, mode=mode)
    return admin


def _release(team: Team, tara: Tara, *records: dict[str, object], version: str = "1.0") -> list[Finding]:
    services.import_advisories(actor=team.engineer, project_id=team.project.pk, raw=osv_bytes(*records))
    release = make_release(
        team.engineer,
        team.project,
        "pkg:golang/modem-stack@v1.0.0",
        version=version,
        component_ref="TCU",
        tara_id=tara.pk,
    )
    return list(Finding.objects.filter(release=release).order_by("vulnerability_id"))


def _critical() -> dict[str, object]:
    return osv("GHSA-c", "modem-stack", ecosystem="Go", vector=CRITICAL, fixed="1.2.0")


def _medium() -> dict[str, object]:
    return osv("GHSA-m", "modem-stack", ecosystem="Go", vector=MEDIUM, fixed="1.2.0")


def _step(tara: Tara, threat: str = "TS-05", path: str = "AP-05a", address: str = "0") -> dict[str, object]:
    data = Element.objects.get(tara=tara, kind=Kind.THREAT_SCENARIO, ref=threat).data
    node = step_at(data, path, address)
    assert node is not None
    return node


def _risk(tara: Tara, threat: str = "TS-05") -> int | None:
    return Element.objects.get(tara=tara, kind=Kind.THREAT_SCENARIO, ref=threat).risk


def test_the_rule_is_off_by_default_and_set_by_managers(team: Team, reference: Tara) -> None:
    _release(team, reference, _critical())
    assert not StepLink.objects.exists()
    organisation = team.tree.organisation.pk
    with pytest.raises(NotFound):  # a project's engineer does not see the organisation's settings
        services.set_tara_loop_rule(actor=team.engineer, organisation_id=organisation, mode="automatic")
    engineer = make_user("org-engineer")
    make_membership(engineer, team.tree.organisation, Role.ENGINEER)
    with pytest.raises(PermissionDenied):  # an engineer of the organisation sees it but may not set it
        services.set_tara_loop_rule(actor=engineer, organisation_id=organisation, mode="automatic")
    admin = _admin(team)
    with pytest.raises(Invalid, match="rule 'always': use one of off, propose, automatic"):
        services.set_tara_loop_rule(actor=admin, organisation_id=organisation, mode="always")
    assert not LoopRule.objects.exists()
    services.set_tara_loop_rule(actor=admin, organisation_id=organisation, mode="propose")
    services.set_tara_loop_rule(actor=admin, organisation_id=organisation, mode="propose")  # no change
    services.set_tara_loop_rule(actor=admin, organisation_id=organisation, mode="automatic")
    records = ChangeRecord.objects.filter(action="vulns_tara_loop_rule.set").order_by("pk")
    assert [(r.actor, r.before and r.before["mode"], r.after["mode"]) for r in records] == [
        (admin, None, "propose"),
        (admin, "propose", "automatic"),
    ]
    assert LoopRule.objects.get().mode == LoopMode.AUTOMATIC


def test_propose_then_confirm_and_reject(team: Team, reference: Tara) -> None:
    admin = _rule(team, "propose")
    before, other = _step(reference).get("cvss"), dict(_step(reference, address="1"))
    risk = _risk(reference)
    (finding,) = _release(team, reference, _critical())
    links = list(StepLink.objects.filter(finding=finding).order_by("threat_ref", "path_ref", "address"))
    assert {(link.threat_ref, link.path_ref, link.address) for link in links} >= {
        ("TS-05", "AP-05a", "0"),
        ("TS-05", "AP-05a", "1"),
    }
    assert {link.status for link in links} == {LinkStatus.PROPOSED}
    assert {link.cvss for link in links} == {NETWORK}
    assert (_step(reference).get("cvss"), _risk(reference)) == (before, risk)  # nothing rated yet
    proposed = ChangeRecord.objects.get(action="vulns_step_link.proposed")  # one per finding, with its links
    assert (proposed.actor, proposed.object_id) == (system_user(), str(finding.pk))
    assert sorted(x["id"] for x in proposed.after["links"]) == sorted(x.pk for x in links)
    assert "brought in by engineer" in proposed.reason
    assert not Notification.objects.filter(tara=reference).exists()

    first = next(x for x in links if (x.threat_ref, x.address) == ("TS-05", "0"))
    second = next(x for x in links if (x.threat_ref, x.address) == ("TS-05", "1"))
    confirmed = services.confirm_step_link(actor=team.engineer, finding_id=finding.pk, link_id=first.pk)
    assert (confirmed.status, confirmed.decided_by, confirmed.previous_cvss) == (
        LinkStatus.APPLIED,
        team.engineer,
        before or "",
    )
    assert _step(reference)["cvss"] == NETWORK
    assert (confirmed.risk_before, confirmed.risk_after) == (risk, _risk(reference))
    assert _risk(reference) > risk
    notified = Notification.objects.filter(tara=reference, finding=finding)
    assert sorted(n.user.username for n in notified) == sorted(
        u.username for u in (team.engineer, team.manager, admin)
    )  # one each, not the reviewer or the auditor
    assert "TS-05 / AP-05a / 0" in notified[0].message
    with pytest.raises(Conflict, match="is applied, not proposed"):
        services.confirm_step_link(actor=team.engineer, finding_id=finding.pk, link_id=first.pk)
    with pytest.raises(PermissionDenied):
        services.reject_step_link(actor=team.reviewer, finding_id=finding.pk, link_id=second.pk)
    rejected = services.reject_step_link(
        actor=team.engineer, finding_id=finding.pk, link_id=second.pk, reason="not reachable"
    )
    assert (rejected.status, rejected.note) == (LinkStatus.REJECTED, "not reachable")
    assert _step(reference, address="1") == other  # the rejected step keeps its rating
    assert ChangeRecord.objects.get(action="vulns_step_link.rejected").reason == "not reachable"


def test_automatic_rerates_notifies_and_triage_reverses(team: Team, reference: Tara) -> None:
    _rule(team, "automatic")
    before, risk = _step(reference).get("cvss"), _risk(reference)
    (finding,) = _release(team, reference, _critical())
    link = StepLink.objects.get(finding=finding, threat_ref="TS-05", path_ref="AP-05a", address="0")
    assert (link.status, link.automatic, link.decided_by) == (LinkStatus.APPLIED, True, system_user())
    assert _step(reference)["cvss"] == NETWORK
    assert _risk(reference) > risk
    edits = ChangeRecord.objects.filter(action="tara_element.attack_tree_edited")
    assert edits.exists()
    assert {r.actor for r in edits} == {system_user()}
    applied = ChangeRecord.objects.get(action="vulns_step_link.applied", object_id=str(finding.pk))
    assert applied.actor == system_user()
    assert "automatic" in applied.reason
    logged = next(x for x in applied.after["links"] if x["id"] == link.pk)
    assert (logged["status"], logged["risk_before"], logged["risk_after"]) == (
        "applied",
        risk,
        _risk(reference),
    )
    notes = Notification.objects.filter(tara=reference, finding=finding, user=team.manager)
    assert notes.count() >= 1
    assert all(n.release_id == finding.release_id for n in notes)

    services.triage_finding(
        actor=team.engineer,
        finding_id=finding.pk,
        stage="analysed",
        vex_status="not_affected",
        justification="vulnerable_code_not_in_execute_path",
    )
    link.refresh_from_db()
    assert (link.status, link.decided_by) == (LinkStatus.REVERSED, team.engineer)
    assert "triaged not affected" in link.note
    assert _step(reference).get("cvss") == before
    assert _risk(reference) == risk
    reversed_ = ChangeRecord.objects.filter(action="vulns_step_link.reversed", object_id=str(link.pk)).get()
    assert (reversed_.actor, reversed_.before["status"], reversed_.after["status"]) == (
        team.engineer,
        "applied",
        "reversed",
    )
    assert not StepLink.objects.filter(finding=finding, status=LinkStatus.APPLIED).exists()


def test_a_step_keeps_the_highest_remaining_finding(team: Team, reference: Tara) -> None:
    _rule(team, "automatic")
    original = _step(reference).get("cvss")
    medium, critical = sorted(
        _release(team, reference, _critical(), _medium()), key=lambda f: f.vulnerability_id != "GHSA-m"
    )
    assert _step(reference)["cvss"] == NETWORK  # the higher exploitability of the two
    services.triage_finding(actor=team.engineer, finding_id=critical.pk, vex_status="fixed")
    assert _step(reference)["cvss"] == LOCAL  # the open medium finding still rates the step
    services.triage_finding(actor=team.engineer, finding_id=medium.pk, vex_status="fixed")
    assert _step(reference).get("cvss") == original  # no finding left: the rating before any finding
    links = StepLink.objects.filter(threat_ref="TS-05", path_ref="AP-05a", address="0")
    assert {link.previous_cvss for link in links} == {original or ""}


def test_automatic_on_a_tara_in_review_stays_proposed(team: Team, reference: Tara) -> None:
    _rule(team, "automatic")
    tara_services.submit_for_review(actor=team.engineer, tara_id=reference.pk)
    before = _step(reference).get("cvss")
    (finding,) = _release(team, reference, _critical())
    links = StepLink.objects.filter(finding=finding)
    assert links.exists()
    assert {link.status for link in links} == {LinkStatus.PROPOSED}
    assert all("in review" in link.note for link in links)
    assert _step(reference).get("cvss") == before
    with pytest.raises(Conflict, match="in review"):
        services.confirm_step_link(actor=team.engineer, finding_id=finding.pk, link_id=links[0].pk)
