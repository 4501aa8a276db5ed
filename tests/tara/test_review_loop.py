"""The review loop people follow: the submit note reaches the reviewers, the return reason the submitter,
each step notifies the people concerned, and approving with open items needs an acknowledgement with a
rationale, kept in the approval and its audit record."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django_tasks_db.models import DBTaskResult

from opencsms.core.audit import AuditAction
from opencsms.core.errors import Conflict, Invalid
from opencsms.core.models import ChangeRecord, User
from opencsms.tara import selectors, services
from opencsms.tara.models import Element, Kind, State, Tara
from opencsms.vulns.models import Notification
from opencsms.vulns.services.notifications import deliver_notifications, webhook_payload
from tests.tara.conftest import Team

pytestmark = pytest.mark.django_db


def untreat(team: Team, tara: Tara) -> Tara:
    """Take the treatment off one threat scenario rated above the acceptance: one open item."""
    threat = (
        Element.objects.filter(tara=tara, kind=Kind.THREAT_SCENARIO, risk__gt=2)
        .exclude(status="untreated")
        .order_by("position")
        .first()
    )
    assert threat is not None
    services.update_element(
        actor=team.engineer,
        tara_id=tara.pk,
        kind=Kind.THREAT_SCENARIO,
        ref=threat.ref,
        changes={"treatment": None},
    )
    tara.refresh_from_db()
    return tara


def messages(user: object) -> list[str]:
    return list(Notification.objects.filter(user=user).order_by("pk").values_list("message", flat=True))


def test_the_note_reaches_the_reviewers_and_the_reason_the_submitter(team: Team, reference: Tara) -> None:
    services.submit_for_review(actor=team.engineer, tara_id=reference.pk, note="please check TS-03")
    tara = Tara.objects.get(pk=reference.pk)
    assert tara.review_note == "please check TS-03"
    board = selectors.dashboard(team.reviewer)
    assert [(t.pk, t.review_note) for t in board.approvals] == [(tara.pk, "please check TS-03")]
    assert selectors.dashboard(team.engineer).approvals == []  # nobody reviews their own submission
    told = messages(team.reviewer)
    assert len(told) == 1
    assert "sent for review by engineer" in told[0]
    assert "please check TS-03" in told[0]
    assert messages(team.manager)  # the business unit's cybersecurity manager reviews too
    assert messages(team.engineer) == []
    assert messages(team.auditor) == []
    assert messages(team.outsider) == []
    notice = Notification.objects.get(user=team.reviewer)
    assert (notice.tara_id, notice.project_id) == (tara.pk, team.project.pk)

    services.return_to_draft(actor=team.reviewer, tara_id=tara.pk, reason="rate TS-03 again")
    tara.refresh_from_db()
    assert (tara.state, tara.return_reason, tara.returned_by, tara.returned_to, tara.review_note) == (
        State.DRAFT,
        "rate TS-03 again",
        team.reviewer,
        team.engineer,
        "",
    )
    returned = selectors.dashboard(team.engineer).returned
    assert [(t.pk, t.return_reason) for t in returned] == [(tara.pk, "rate TS-03 again")]
    assert selectors.dashboard(team.reviewer).returned == []
    assert selectors.dashboard(team.reviewer).approvals == []
    assert messages(team.engineer) == [f"{tara} was returned to draft by reviewer: rate TS-03 again"]

    services.submit_for_review(actor=team.engineer, tara_id=tara.pk, note="rated again")
    tara.refresh_from_db()
    assert (tara.return_reason, tara.returned_to, tara.review_note) == ("", None, "rated again")
    assert selectors.dashboard(team.engineer).returned == []


def test_approval_tells_the_submitter(team: Team, reference: Tara) -> None:
    services.submit_for_review(actor=team.engineer, tara_id=reference.pk)
    baseline = services.approve(
        actor=team.reviewer, tara_id=reference.pk, content_sha256=reference.content_sha256
    )
    assert (baseline.open_items, baseline.acknowledgement) == ({}, "")
    assert messages(team.engineer) == [f"{Tara.objects.get(pk=reference.pk)} was approved by reviewer"]


def test_the_checklist_counts_what_is_open(team: Team, reference: Tara) -> None:
    clean = selectors.checklist(reference)
    assert [item.key for item in clean.items] == list(selectors.OPEN_ITEMS)
    assert clean.open == ()
    tara = untreat(team, reference)
    found = selectors.checklist(tara)
    assert found.counts()["untreated_risks"] == tara.summary["untreated_count"] >= 1
    generated = Element.objects.filter(tara=tara, kind=Kind.THREAT_SCENARIO).order_by("position").last()
    assert generated is not None
    generated.data = {**generated.data, "status": "proposed", "generated": {"rule": "R", "asset": "A-01"}}
    generated.status = "proposed"
    generated.save(update_fields=["data", "status"])
    assert selectors.checklist(tara).counts()["pending_proposals"] == 1


def test_approving_with_open_items_needs_an_acknowledgement_with_a_rationale(
    team: Team, reference: Tara
) -> None:
    tara = untreat(team, reference)
    services.submit_for_review(actor=team.engineer, tara_id=tara.pk)
    tara.refresh_from_db()
    approve = {"actor": team.reviewer, "tara_id": tara.pk, "content_sha256": tara.content_sha256}
    with pytest.raises(Conflict, match=r"open items .*untreated risks above acceptance.*acknowledge"):
        services.approve(**approve)
    with pytest.raises(Invalid, match="rationale is required"):
        services.approve(**approve, acknowledged=True, rationale="  ")
    assert Tara.objects.get(pk=tara.pk).state == State.IN_REVIEW  # nothing changed by the refusals
    baseline = services.approve(**approve, note="ok", acknowledged=True, rationale="accepted by the board")
    open_items = selectors.checklist(tara).counts()
    assert (baseline.open_items, baseline.acknowledgement, baseline.approval_note) == (
        open_items,
        "accepted by the board",
        "ok",
    )
    approved = ChangeRecord.objects.get(action=AuditAction.TARA_APPROVED)
    assert approved.reason.startswith("ok\nopen items acknowledged (")
    assert approved.reason.endswith("): accepted by the board")
    frozen = ChangeRecord.objects.get(action=AuditAction.BASELINE_CREATED, object_id=str(baseline.pk))
    assert (frozen.after["open_items"], frozen.after["acknowledgement"]) == (
        open_items,
        "accepted by the board",
    )
    assert messages(team.engineer)[-1].endswith("): accepted by the board")


def test_the_api_shows_the_checklist_and_takes_the_acknowledgement(team: Team, reference: Tara) -> None:
    tara = untreat(team, reference)
    engineer, reviewer = Client(), Client()
    engineer.force_login(team.engineer)
    reviewer.force_login(team.reviewer)
    submitted = engineer.post(
        f"/api/v1/taras/{tara.pk}/submit", {"note": "see TS"}, content_type="application/json"
    )
    assert (submitted.status_code, submitted.json()["review_note"]) == (200, "see TS")
    listed = reviewer.get(f"/api/v1/taras/{tara.pk}/checklist").json()
    assert listed["open"] >= 1
    assert {item["key"]: item["count"] for item in listed["items"]}["untreated_risks"] >= 1
    url = f"/api/v1/taras/{tara.pk}/approve"
    body = {"content_sha256": tara.content_sha256}
    refused = reviewer.post(url, body, content_type="application/json")
    assert refused.status_code == 409
    assert "acknowledge" in refused.json()["detail"]
    unexplained = reviewer.post(url, {**body, "acknowledged": True}, content_type="application/json")
    assert unexplained.status_code == 422
    assert "rationale" in unexplained.json()["detail"]
    done = reviewer.post(
        url, {**body, "acknowledged": True, "rationale": "known"}, content_type="application/json"
    )
    assert done.status_code == 201
    assert (done.json()["acknowledgement"], done.json()["open_items"]["untreated_risks"] >= 1) == (
        "known",
        True,
    )
    returned_body = {"reason": "x"}
    assert (
        reviewer.post(
            f"/api/v1/taras/{tara.pk}/return", returned_body, content_type="application/json"
        ).status_code
        == 409
    )
    inbox = engineer.get("/api/v1/notifications").json()
    items = inbox["items"] if isinstance(inbox, dict) else inbox
    assert any(n["tara_id"] == tara.pk and "approved by reviewer" in n["message"] for n in items)


def test_review_notifications_go_out_by_the_configured_channels(
    team: Team, reference: Tara, settings: Any
) -> None:
    settings.VULNS_NOTIFY = {"email": True, "webhook": "", "secret": "", "base_url": "https://csms.test"}
    User.objects.filter(pk=team.reviewer.pk).update(email="reviewer@example.com")
    services.submit_for_review(actor=team.engineer, tara_id=reference.pk, note="see TS-03")
    assert DBTaskResult.objects.count() == 1  # the delivery is queued with the change
    rows = list(Notification.objects.filter(tara=reference).select_related("user", "project"))
    assert deliver_notifications([row.pk for row in rows]) == {"delivered": len(rows)}
    (email,) = [message for message in mail.outbox if message.to == ["reviewer@example.com"]]
    assert "see TS-03" in email.body
    assert "https://csms.test/notifications/" in email.body
    payload = json.loads(webhook_payload(rows))
    assert {n["tara_id"] for n in payload["notifications"]} == {reference.pk}
