"""Risk acceptance with an expiry: the rules, expired on read at once, reopened by the scheduler's hook with
a record and a notification, once even when two runs overlap."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from opencsms.core import schedule
from opencsms.core.errors import Invalid
from opencsms.core.models import ChangeRecord
from opencsms.vulns import selectors, services
from opencsms.vulns.models import Finding, Notification
from tests.vulns.conftest import Team, pads_release

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _accepted(team: Team, until: dt.date) -> Finding:
    finding = Finding.objects.get(release=pads_release(team), vulnerability_id="CVE-2024-1")
    return services.triage_finding(
        actor=team.engineer, finding_id=finding.pk, stage="decided", vex_status="affected",
        decision="accept", rationale="low exposure behind the gateway", accepted_until=until,
    )  # fmt: skip


def _expire(finding: Finding, days_ago: int = 1) -> None:
    """Time passes: the acceptance's last day is behind us (as if set long ago)."""
    Finding.objects.filter(pk=finding.pk).update(accepted_until=TODAY - dt.timedelta(days=days_ago))


def test_accepting_needs_an_expiry_date_that_has_not_passed(team: Team) -> None:
    finding = Finding.objects.get(release=pads_release(team), vulnerability_id="CVE-2024-1")
    accept = {"stage": "decided", "vex_status": "affected", "decision": "accept", "rationale": "low"}
    with pytest.raises(Invalid, match="accepting a risk needs an expiry date"):
        services.triage_finding(actor=team.engineer, finding_id=finding.pk, **accept)
    with pytest.raises(Invalid, match=f"the expiry date {TODAY - dt.timedelta(days=1)} has passed"):
        services.triage_finding(
            actor=team.engineer, finding_id=finding.pk, accepted_until=TODAY - dt.timedelta(days=1), **accept
        )
    with pytest.raises(Invalid, match="goes with the decision accept only"):
        services.triage_finding(actor=team.engineer, finding_id=finding.pk, accepted_until=TODAY)
    finding.refresh_from_db()
    assert (finding.decision, finding.accepted_until, finding.version) == ("", None, 1)
    done = services.triage_finding(actor=team.engineer, finding_id=finding.pk, accepted_until=TODAY, **accept)
    assert (done.decision, done.accepted_until, done.acceptance_expired) == ("accept", TODAY, False)
    record = ChangeRecord.objects.filter(action="vulns_finding.triaged").latest("seq")
    assert (record.before["accepted_until"], record.after["accepted_until"]) == (None, TODAY.isoformat())


def test_another_decision_clears_the_expiry(team: Team) -> None:
    finding = _accepted(team, TODAY + dt.timedelta(days=30))
    changed = services.triage_finding(
        actor=team.engineer, finding_id=finding.pk, decision="remediate", rationale="update in 1.1"
    )
    assert (changed.decision, changed.accepted_until) == ("remediate", None)


def test_an_expired_acceptance_reads_as_expired_before_the_scheduler_runs(team: Team) -> None:
    finding = _accepted(team, TODAY + dt.timedelta(days=30))
    _expire(finding)
    read = selectors.finding(team.engineer, finding.pk)
    assert (read.decision, read.acceptance_expired) == ("accept", True)
    listed = selectors.findings(team.engineer, release_id=finding.release_id).get(pk=finding.pk)
    assert listed.acceptance_expired is True
    _expire(finding, days_ago=0)  # its last day is today: it still stands
    assert selectors.finding(team.engineer, finding.pk).acceptance_expired is False


def test_the_hook_is_cheap_and_queues_nothing_when_nothing_expired(
    team: Team, django_assert_num_queries: object
) -> None:
    _accepted(team, TODAY)
    with django_assert_num_queries(1):  # type: ignore[operator]
        assert services.acceptance_hook(timezone.now()) == 0
    assert services.reopen_expired_acceptances() == 0


def test_an_expired_acceptance_reopens_with_a_record_and_a_notification(team: Team) -> None:
    finding = _accepted(team, TODAY + dt.timedelta(days=30))
    other = Finding.objects.get(release=finding.release, vulnerability_id="GHSA-2")
    _expire(finding)
    assert services.reopen_expired_acceptances_task.call() == 1
    finding.refresh_from_db()
    assert (finding.stage, finding.vex_status, finding.decision, finding.accepted_until) == (
        "analysed", "affected", "", None,
    )  # fmt: skip
    assert finding.rationale == "low exposure behind the gateway"
    record = ChangeRecord.objects.get(action="vulns_finding.acceptance_expired")
    assert (record.actor_name, record.object_id) == ("opencsms-system", str(finding.pk))
    assert (record.before["decision"], record.after["decision"]) == ("accept", "")
    assert record.after["stage"] == "analysed"
    notes = Notification.objects.filter(finding=finding)
    assert sorted(n.user.username for n in notes) == sorted(u.username for u in (team.engineer, team.manager))
    assert notes[0].message == (
        f"The acceptance of CVE-2024-1 in {finding.release} expired after "
        f"{TODAY - dt.timedelta(days=1)}: it is back in triage"
    )
    assert not Notification.objects.filter(finding=other).exists()
    assert services.reopen_expired_acceptances() == 0  # once: a second run finds nothing
    assert Notification.objects.filter(finding=finding).count() == notes.count()
    assert services.acceptance_hook(timezone.now()) == 0


def test_the_registered_hook_enqueues_once_a_minute_however_many_schedulers_tick(team: Team) -> None:
    assert "vulns.acceptance_expiry" in schedule.registered()
    finding = _accepted(team, TODAY + dt.timedelta(days=30))
    _expire(finding)
    now = timezone.now()
    assert schedule.tick(now)["vulns.acceptance_expiry"] == 1
    assert schedule.tick(now + dt.timedelta(seconds=30))["vulns.acceptance_expiry"] == 0  # another ticks
    assert schedule.tick(now + dt.timedelta(seconds=61))["vulns.acceptance_expiry"] == 1  # not yet run
    queued = DBTaskResult.objects.filter(task_path__endswith="reopen_expired_acceptances_task")
    assert queued.count() == 2
    assert Finding.objects.get(pk=finding.pk).decision == "accept"  # the worker's task reopens it


def test_reopening_uses_the_day_of_now(team: Team) -> None:
    finding = _accepted(team, TODAY + dt.timedelta(days=3))
    assert services.reopen_expired_acceptances(now=timezone.now() + dt.timedelta(days=3)) == 0
    assert services.reopen_expired_acceptances(now=timezone.now() + dt.timedelta(days=4)) == 1
    finding.refresh_from_db()
    assert finding.decision == ""


def test_the_task_reopens_them(team: Team) -> None:
    finding = _accepted(team, TODAY + dt.timedelta(days=30))
    _expire(finding)
    result = services.reopen_expired_acceptances_task.call()
    assert result == 1
    assert Finding.objects.get(pk=finding.pk).decision == ""
