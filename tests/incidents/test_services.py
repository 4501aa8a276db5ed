"""The services of incident response: the plan as a controlled record, incidents opened (from a finding),
changed, recorded on and closed, each rule's refusal naming itself, every change audited with its actor."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from opencsms.core.errors import Conflict, Invalid, NotFound, Stale
from opencsms.core.models import ChangeRecord, User
from opencsms.incidents import services
from opencsms.incidents.models import EntryKind, Incident, ResponsePlan, Status, TimelineEntry
from opencsms.organisation.models import Level
from opencsms.vulns.models import Finding
from tests.factories.core import make_admin
from tests.factories.incidents import CRITERIA, PLAN, make_incident, make_plan
from tests.factories.organisation import make_project
from tests.factories.vulns import make_release
from tests.incidents.conftest import Team

pytestmark = pytest.mark.django_db
ORG, PROJECT = Level.ORGANISATION, Level.PROJECT


def actions(obj: object) -> list[tuple[str, str]]:
    records = ChangeRecord.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))  # type: ignore[attr-defined]
    return list(records.order_by("seq").values_list("action", "actor_name"))


def test_a_plan_is_saved_as_revisions_each_audited_with_the_whole_text(team: Team) -> None:
    plan = make_plan(team.manager, PROJECT, team.project.pk)
    assert (plan.revision, plan.criteria) == (1, list(CRITERIA))
    again = services.save_plan(
        actor=team.manager,
        kind=PROJECT,
        level_id=team.project.pk,
        contents={**PLAN, "progress_method": "Weekly review"},
        expected="1",
    )
    assert again.revision == 2
    unchanged = services.save_plan(
        actor=team.manager,
        kind=PROJECT,
        level_id=team.project.pk,
        contents={**PLAN, "progress_method": "Weekly review"},
        expected="2",
    )
    assert unchanged.revision == 2  # nothing changed: nothing written
    records = ChangeRecord.objects.filter(object_type="incidents.responseplan").order_by("seq")
    assert [(r.action, r.actor_name) for r in records] == [("incidents_plan.saved", "manager")] * 2
    assert records[0].before is None
    assert records[1].before["progress_method"] == PLAN["progress_method"]
    assert records[1].after["progress_method"] == "Weekly review"
    assert records[1].scope == f"project:{team.project.pk}"


def test_a_plan_saved_from_an_older_revision_is_refused_and_nothing_is_written(team: Team) -> None:
    make_plan(team.manager, PROJECT, team.project.pk)
    make_plan(team.engineer, PROJECT, team.project.pk, closure_actions="Archive")
    with pytest.raises(Stale) as refused:
        make_plan_from(team, "1", closure_actions="Something else")
    assert "closure_actions" in str(refused.value.differences)
    assert ResponsePlan.objects.get(project=team.project).closure_actions == "Archive"


def make_plan_from(team: Team, expected: str, **changes: str) -> ResponsePlan:
    return services.save_plan(
        actor=team.manager,
        kind=PROJECT,
        level_id=team.project.pk,
        contents={**PLAN, **changes},
        expected=expected,
    )


@pytest.mark.parametrize(
    ("contents", "message"),
    [
        ({**PLAN, "closure_criteria": "  "}, "closure_criteria: a plan needs at least one criterion"),
        ({**PLAN, "owner": "me"}, "unknown plan fields: owner"),
        ({**PLAN, "remedial_actions": "x" * 20_001}, "remedial_actions: 20001 characters; at most 20000"),
    ],
)
def test_a_plan_without_closure_criteria_or_with_bad_fields_is_refused(
    team: Team, contents: dict[str, str], message: str
) -> None:
    with pytest.raises(Invalid, match=message):
        services.save_plan(actor=team.manager, kind=PROJECT, level_id=team.project.pk, contents=contents)
    assert not ResponsePlan.objects.exists()


def test_who_may_save_a_plan(team: Team) -> None:
    with pytest.raises(PermissionDenied):
        make_plan(team.auditor, PROJECT, team.project.pk)
    with pytest.raises(NotFound):
        make_plan(team.outsider, PROJECT, team.project.pk)
    with pytest.raises(NotFound):  # a project member does not see the organisation
        make_plan(team.engineer, ORG, team.tree.organisation.pk)


def test_an_incident_opened_from_a_finding_links_it_and_its_release_and_starts_the_timeline(
    team: Team, finding: Finding
) -> None:
    incident = make_incident(team.engineer, finding)
    assert (incident.status, incident.scope) == (Status.OPEN, f"project:{team.project.pk}")
    assert list(incident.findings.all()) == [finding]
    assert list(incident.affected_releases.all()) == [finding.release]
    assert [(e.kind, e.text) for e in incident.timeline.all()] == [(EntryKind.STATUS_CHANGE, "Opened (open)")]
    record = ChangeRecord.objects.get(action="incidents_incident.opened")
    assert (record.actor_name, record.after["findings"], record.after["severity"]) == (
        "engineer",
        [finding.pk],
        "high",
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "  "}, "title: an incident needs a title"),
        ({"severity": "extreme"}, "severity 'extreme': use one of low, medium, high, critical"),
        ({"detected_at": timezone.now() + dt.timedelta(days=1)}, "is in the future"),
    ],
)
def test_bad_facts_are_refused_and_nothing_is_written(
    team: Team, finding: Finding, fields: dict[str, object], message: str
) -> None:
    with pytest.raises(Invalid, match=message):
        make_incident(team.engineer, finding, **fields)  # type: ignore[arg-type]
    assert not Incident.objects.exists()
    assert not TimelineEntry.objects.exists()


def test_a_release_unseen_or_of_another_project_is_refused(team: Team, finding: Finding) -> None:
    other = make_release(make_admin(), team.tree.other_project, "pkg:npm/left-pad@1.0.0")
    with pytest.raises(Invalid, match=f"no release {other.pk} that you may see"):
        open_with(team, team.engineer, release_ids=[other.pk])
    sibling = make_release(make_admin(), make_project(team.tree.business_unit), "pkg:npm/left-pad@1.0.0")
    with pytest.raises(Invalid, match=f"release {sibling} is not in the incident's project"):
        open_with(team, team.manager, release_ids=[sibling.pk])  # the manager sees both projects
    assert not Incident.objects.exists()


def open_with(team: Team, actor: User, **links: list[int]) -> Incident:
    return services.open_incident(
        actor=actor,
        kind=PROJECT,
        level_id=team.project.pk,
        title="t",
        detected_at=timezone.now(),
        reported_by="me",
        **links,
    )


def test_status_changes_write_the_timeline_and_stamp_containment(team: Team, finding: Finding) -> None:
    incident = make_incident(team.engineer, finding)
    changed = services.update_incident(
        actor=team.engineer, incident_id=incident.pk, changes={"status": "contained"}, expected="1"
    )
    assert (changed.status, changed.version) == ("contained", 2)
    assert changed.contained_at is not None
    assert [e.text for e in changed.timeline.all()] == ["Opened (open)", "Status open → contained"]
    with pytest.raises(Stale):
        services.update_incident(
            actor=team.engineer, incident_id=incident.pk, changes={"title": "x"}, expected="1"
        )
    with pytest.raises(Invalid, match="close an incident with its closure"):
        services.update_incident(actor=team.engineer, incident_id=incident.pk, changes={"status": "closed"})
    assert actions(incident) == [
        ("incidents_incident.opened", "engineer"),
        ("incidents_incident.changed", "engineer"),
    ]


def test_timeline_actions_and_communications_are_recorded_and_audited(team: Team, finding: Finding) -> None:
    incident = make_incident(team.engineer, finding)
    services.add_entry(
        actor=team.engineer, incident_id=incident.pk, kind="observation", text="Scan from 10.0.0.9"
    )
    action = services.add_action(
        actor=team.manager,
        incident_id=incident.pk,
        title="Ship 1.0.1",
        owner_id=team.engineer.pk,
        due=dt.date(2026, 12, 31),
    )
    services.complete_action(actor=team.engineer, incident_id=incident.pk, action_id=action.pk)
    services.record_communication(
        actor=team.manager,
        incident_id=incident.pk,
        recipient="OEM PSIRT",
        channel="email",
        summary="Told them",
    )
    kinds = [(e.kind, e.text) for e in incident.timeline.all()][1:]
    assert kinds == [
        ("observation", "Scan from 10.0.0.9"),
        ("action", "Done: Ship 1.0.1"),
        ("communication", "To OEM PSIRT by email: Told them"),
    ]
    done = ChangeRecord.objects.get(action="incidents_remedial_action.done")
    assert (done.actor_name, done.before["done_at"], done.after["done_at"] is not None) == (
        "engineer",
        None,
        True,
    )
    assert ChangeRecord.objects.filter(scope=incident.scope, action__startswith="incidents_").count() == 5
    with pytest.raises(Conflict, match="was done at"):
        services.complete_action(actor=team.engineer, incident_id=incident.pk, action_id=action.pk)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ({"kind": "status_change", "text": "x"}, "kind 'status_change': use one of observation"),
        ({"kind": "observation", "text": " "}, "text: required"),
    ],
)
def test_bad_timeline_entries_are_refused(
    team: Team, finding: Finding, call: dict[str, str], message: str
) -> None:
    incident = make_incident(team.engineer, finding)
    with pytest.raises(Invalid, match=message):
        services.add_entry(actor=team.engineer, incident_id=incident.pk, **call)
    assert incident.timeline.count() == 1


def test_an_action_owner_must_be_able_to_edit_and_viewers_may_not_record(
    team: Team, finding: Finding
) -> None:
    incident = make_incident(team.engineer, finding)
    with pytest.raises(Invalid, match=f"user {team.auditor.pk} cannot own this action"):
        services.add_action(actor=team.engineer, incident_id=incident.pk, title="x", owner_id=team.auditor.pk)
    with pytest.raises(PermissionDenied):
        services.add_entry(actor=team.auditor, incident_id=incident.pk, kind="observation", text="x")
    with pytest.raises(NotFound):
        services.add_entry(actor=team.outsider, incident_id=incident.pk, kind="observation", text="x")


def test_closing_needs_the_plan_every_criterion_confirmed_and_a_note(team: Team, finding: Finding) -> None:
    incident = make_incident(team.engineer, finding)
    close = {"actor": team.engineer, "incident_id": incident.pk}
    with pytest.raises(Invalid, match="no incident response plan with closure criteria for project"):
        services.close_incident(**close, confirmed=list(CRITERIA), note="done")
    make_plan(team.manager, PROJECT, team.project.pk)
    with pytest.raises(Invalid, match=f"not confirmed: {CRITERIA[1]}"):
        services.close_incident(**close, confirmed=[CRITERIA[0]], note="done")
    with pytest.raises(Invalid, match="a closing note is needed"):
        services.close_incident(**close, confirmed=list(CRITERIA), note=" ")
    assert Incident.objects.get(pk=incident.pk).status == Status.OPEN
    closed = services.close_incident(**close, confirmed=list(CRITERIA), note="Fixed in 1.0.1")
    assert (closed.status, closed.closure_criteria, closed.plan_revision) == ("closed", list(CRITERIA), 1)
    assert closed.closed_at is not None
    assert closed.timeline.last().text == "Status open → closed"  # type: ignore[union-attr]
    with pytest.raises(Conflict, match="is closed"):
        services.add_entry(**close, kind="observation", text="later")
    assert actions(incident)[-1] == ("incidents_incident.closed", "engineer")


def test_a_project_plan_overrides_the_organisations(team: Team, finding: Finding) -> None:
    admin = team.manager  # the manager holds EDIT on the business unit's projects, not on the organisation
    make_plan(make_admin(), ORG, team.tree.organisation.pk, closure_criteria="Organisation's criterion")
    incident = make_incident(team.engineer, finding)
    with pytest.raises(Invalid, match="not confirmed: Organisation's criterion"):
        services.close_incident(actor=team.engineer, incident_id=incident.pk, confirmed=[], note="x")
    make_plan(admin, PROJECT, team.project.pk, closure_criteria="Project's criterion")
    closed = services.close_incident(
        actor=team.engineer, incident_id=incident.pk, confirmed=["Project's criterion"], note="x"
    )
    assert closed.closure_criteria == ["Project's criterion"]
