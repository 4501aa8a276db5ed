"""Remediation SLAs (issue 12, item 4): due dates from the organisation's policy (KEV stricter), kept when a
person set them, recomputed when the severity, the KEV flag or the policy changes; overdue findings; the
escalation of overdue findings, once per due date; who may set the policy; the CLI."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from typer.testing import CliRunner

from opencsms.cli.main import app
from opencsms.core.errors import Invalid, NotFound, Stale
from opencsms.core.models import ChangeRecord, User
from opencsms.engine.catalogue.sla import default_sla
from opencsms.organisation.models import Organisation, Role
from opencsms.vulns import selectors, services
from opencsms.vulns.models import Finding, Notification
from opencsms.vulns.models.sla import Escalation, SlaPolicy
from opencsms.vulns.selectors import FindingFilter
from tests.factories.core import make_user
from tests.factories.organisation import make_membership
from tests.factories.vulns import CRITICAL, kev_json, osv, osv_bytes
from tests.vulns.conftest import Team, pads_release

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
TERMS = {"critical": 10, "high": 20, "medium": 40, "low": 100, "unknown": 50, "kev": 3, "escalation": 2}


def _days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def _admin(team: Team, organisation: Organisation | None = None, name: str = "org-admin") -> User:
    user = make_user(name)
    make_membership(user, organisation or team.tree.organisation, Role.ADMINISTRATOR)
    return user


def _dues(release_id: int) -> dict[str, tuple[dt.date | None, str]]:
    rows = Finding.objects.filter(release_id=release_id)
    return {f.vulnerability_id: (f.due_date, f.due_from) for f in rows}


def test_due_dates_come_from_the_policy_and_kev_is_stricter(team: Team) -> None:
    release = pads_release(team)
    terms = default_sla().terms
    assert _dues(release.pk) == {
        "CVE-2024-1": (_days(terms.critical), "sla"), "GHSA-2": (_days(terms.medium), "sla"),
        "GHSA-3": (_days(terms.unknown), "sla"),
    }  # fmt: skip
    admin = _admin(team)
    policy = services.set_sla_policy(
        actor=admin, organisation_id=team.tree.organisation.pk, terms=TERMS, expected="0"
    )
    assert (policy.version, policy.terms().model_dump()) == (1, TERMS)
    assert _dues(release.pk) == {
        "CVE-2024-1": (_days(10), "sla"), "GHSA-2": (_days(40), "sla"), "GHSA-3": (_days(50), "sla"),
    }  # fmt: skip
    recomputed = ChangeRecord.objects.get(action="vulns_findings.due_dates_recomputed")
    counts = (recomputed.after["open_from_sla"], recomputed.after["changed"], recomputed.actor_id)
    assert counts == (3, 3, admin.pk)
    assert ChangeRecord.objects.get(action="vulns_sla_policy.set").after == TERMS
    services.import_exploitation(
        actor=team.engineer, kind="kev", raw=kev_json("CVE-2024-1"), project_id=team.project.pk
    )
    assert _dues(release.pk)["CVE-2024-1"] == (_days(3), "sla")  # in KEV: at most 3 days
    later = pads_release(team, version="2.0")
    assert _dues(later.pk)["CVE-2024-1"] == (_days(3), "sla")  # a new finding already in KEV


def test_a_severity_change_recomputes_the_slas_date_and_keeps_a_persons(team: Team) -> None:
    release = pads_release(team)
    mine = Finding.objects.get(release=release, vulnerability_id="GHSA-2")
    services.triage_finding(actor=team.engineer, finding_id=mine.pk, due_date=_days(200))
    assert _dues(release.pk)["GHSA-2"] == (_days(200), "person")
    services.import_advisories(  # both advisories now scored critical: a sync's changed records
        actor=team.engineer, project_id=team.project.pk,
        raw=osv_bytes(osv("GHSA-2", "right-pad", vector=CRITICAL), osv("GHSA-3", "up-pad", vector=CRITICAL)),
    )  # fmt: skip
    critical = default_sla().terms.critical
    assert _dues(release.pk)["GHSA-3"] == (_days(critical), "sla")
    assert _dues(release.pk)["GHSA-2"] == (_days(200), "person")
    services.set_sla_policy(actor=_admin(team), organisation_id=team.tree.organisation.pk, terms=TERMS)
    assert _dues(release.pk)["GHSA-2"] == (_days(200), "person")  # the policy leaves a person's date alone
    assert _dues(release.pk)["GHSA-3"] == (_days(10), "sla")
    services.triage_finding(actor=team.engineer, finding_id=mine.pk, due_date=None)  # back to the SLA
    assert _dues(release.pk)["GHSA-2"] == (_days(10), "sla")
    record = ChangeRecord.objects.filter(action="vulns_finding.triaged").latest("seq")
    assert (record.before["due_from"], record.after["due_from"]) == ("person", "sla")


def test_overdue_lists_open_findings_only(team: Team) -> None:
    release = pads_release(team)
    rows = {f.vulnerability_id: f for f in Finding.objects.filter(release=release)}
    for name, late in (("CVE-2024-1", 5), ("GHSA-2", 1), ("GHSA-3", 0)):
        services.triage_finding(actor=team.engineer, finding_id=rows[name].pk, due_date=_days(-late))
    services.triage_finding(  # closed: not affected is never overdue
        actor=team.engineer, finding_id=rows["GHSA-2"].pk, stage="analysed", vex_status="not_affected",
        justification="vulnerable_code_not_present",
    )  # fmt: skip
    found = selectors.portfolio_findings(team.engineer, FindingFilter(overdue=True))
    assert [f.vulnerability_id for f in found] == ["CVE-2024-1"]
    listed = selectors.with_days(list(selectors.overdue_findings(_admin(team), team.tree.organisation.pk)))
    assert [(f.vulnerability_id, f.days_overdue) for f in listed] == [("CVE-2024-1", 5)]  # type: ignore[attr-defined]
    with pytest.raises(NotFound):
        selectors.overdue_findings(team.engineer, team.tree.organisation.pk)  # a project's people: 404


def test_escalation_notifies_once_and_again_after_a_new_due_date(team: Team) -> None:
    admin = _admin(team)
    services.set_sla_policy(actor=admin, organisation_id=team.tree.organisation.pk, terms=TERMS)
    release = pads_release(team)
    rows = {f.vulnerability_id: f for f in Finding.objects.filter(release=release)}
    services.triage_finding(
        actor=team.engineer, finding_id=rows["CVE-2024-1"].pk, owner_id=team.engineer.pk, due_date=_days(-5)
    )
    services.triage_finding(actor=team.engineer, finding_id=rows["GHSA-2"].pk, due_date=_days(-2))  # not > 2
    now = timezone.now()
    assert services.escalation_hook(now) == 1  # queued once a day
    assert services.escalation_hook(now) == 0
    assert DBTaskResult.objects.filter(task_path__endswith="escalate_overdue_task").count() == 1
    assert services.escalate_overdue() == 1
    told = Notification.objects.filter(finding=rows["CVE-2024-1"])
    assert sorted(n.user.username for n in told) == sorted(["engineer", "manager", "org-admin"])
    assert "5 days overdue" in told[0].message
    record = ChangeRecord.objects.get(action="vulns_finding.escalated")
    assert (record.after["days_overdue"], record.object_id) == (5, str(rows["CVE-2024-1"].pk))
    assert services.escalate_overdue() == 0  # not twice for the same due date
    assert Notification.objects.filter(finding=rows["CVE-2024-1"]).count() == 3
    services.triage_finding(actor=team.engineer, finding_id=rows["CVE-2024-1"].pk, due_date=_days(-3))
    assert services.escalate_overdue() == 1  # a new due date, missed too: escalated again
    assert Escalation.objects.filter(finding=rows["CVE-2024-1"]).count() == 2
    assert not Notification.objects.filter(finding=rows["GHSA-2"]).exists()


def test_only_the_organisations_administrators_set_the_policy(team: Team) -> None:
    organisation = team.tree.organisation.pk
    before = ChangeRecord.objects.count()
    for who in (team.engineer, team.manager):
        with pytest.raises((PermissionDenied, NotFound)):
            services.set_sla_policy(actor=who, organisation_id=organisation, terms=TERMS)
    manager = make_user("org-manager")  # a cybersecurity manager of the organisation sees it, no more
    make_membership(manager, team.tree.organisation, Role.CYBERSECURITY_MANAGER)
    with pytest.raises(PermissionDenied):
        services.set_sla_policy(actor=manager, organisation_id=organisation, terms=TERMS)
    stranger = _admin(team, team.tree.other_organisation, "globex-admin")
    with pytest.raises(NotFound):
        services.set_sla_policy(actor=stranger, organisation_id=organisation, terms=TERMS)
    admin = _admin(team)
    with pytest.raises(Invalid, match="critical"):
        services.set_sla_policy(actor=admin, organisation_id=organisation, terms={**TERMS, "critical": 0})
    with pytest.raises(Invalid, match="weekly"):
        services.set_sla_policy(actor=admin, organisation_id=organisation, terms={"weekly": 3})
    assert ChangeRecord.objects.count() == before  # nothing written
    services.set_sla_policy(actor=admin, organisation_id=organisation, terms=TERMS, expected="0")
    with pytest.raises(Stale):
        services.set_sla_policy(actor=admin, organisation_id=organisation, terms={"high": 5}, expected="0")
    assert SlaPolicy.objects.get(organisation_id=organisation).high == 20


def test_the_sla_and_escalate_commands(team: Team) -> None:
    admin = _admin(team)
    args = ["server", "vulns", "sla", "--organisation", str(team.tree.organisation.pk)]
    shown = CliRunner().invoke(app, [*args, "--user", admin.username])
    assert shown.exit_code == 0, shown.output
    assert "version 0" in shown.output
    assert "critical 7" in shown.output
    done = CliRunner().invoke(app, [*args, "--user", admin.username, "--critical", "5", "--kev", "2"])
    assert done.exit_code == 0, done.output
    assert "version 1" in done.output
    assert "critical 5" in done.output
    assert "kev 2" in done.output
    refused = CliRunner().invoke(app, [*args, "--user", team.manager.username, "--critical", "9"])
    assert refused.exit_code == 1
    assert SlaPolicy.objects.get().critical == 5
    escalated = CliRunner().invoke(app, ["server", "vulns", "escalate"])
    assert escalated.exit_code == 0
    assert "0 overdue findings escalated" in escalated.output


def test_the_upgrade_keeps_the_dates_people_set_before_slas(team: Team) -> None:
    from django.apps import apps

    upgrade = importlib.import_module("opencsms.vulns.migrations.0013_sla").keep_dates_set_by_people
    release = pads_release(team)
    rows = {f.vulnerability_id: f for f in Finding.objects.filter(release=release)}
    Finding.objects.filter(pk=rows["GHSA-2"].pk).update(due_date=_days(3))  # a person's, before SLAs
    Finding.objects.filter(pk=rows["GHSA-3"].pk).update(due_date=None)  # cleared by a person
    Finding.objects.update(due_from="sla")
    upgrade(apps, None)
    assert {name: due_from for name, (_, due_from) in _dues(release.pk).items()} == {
        "CVE-2024-1": "sla", "GHSA-2": "person", "GHSA-3": "person",
    }  # fmt: skip
