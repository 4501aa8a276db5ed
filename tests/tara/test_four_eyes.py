"""Four eyes by authorship: nobody approves a revision they changed or submitted, in the service, over the
API and on the page; changes before the last approval do not count."""

from __future__ import annotations

import pytest
from django.test import Client

from opencsms.core.errors import Conflict
from opencsms.core.models import User
from opencsms.tara import selectors, services
from opencsms.tara.models import State, Tara
from tests.tara.conftest import Team

pytestmark = pytest.mark.django_db


def _rename(team_member: User, tara: Tara, name: str) -> None:
    services.update_element(
        actor=team_member,
        tara_id=tara.pk,
        kind="assets",
        ref="A-01",
        changes={"name": name},
    )


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_author_who_did_not_submit_may_not_approve(team: Team, reference: Tara) -> None:
    _rename(team.manager, reference, "Changed by the manager")
    tara = services.submit_for_review(actor=team.engineer, tara_id=reference.pk)
    with pytest.raises(Conflict, match="four eyes: you changed this revision"):
        services.approve(actor=team.manager, tara_id=tara.pk, content_sha256=tara.content_sha256)
    tara.refresh_from_db()
    assert tara.state == State.IN_REVIEW
    baseline = services.approve(actor=team.reviewer, tara_id=tara.pk, content_sha256=tara.content_sha256)
    assert baseline.approved_by == team.reviewer


def test_the_importer_and_an_earlier_submitter_may_not_approve(team: Team, reference: Tara) -> None:
    services.submit_for_review(actor=team.engineer, tara_id=reference.pk)
    services.withdraw_from_review(actor=team.engineer, tara_id=reference.pk)
    tara = services.submit_for_review(actor=team.manager, tara_id=reference.pk)
    assert selectors.revision_authors(tara) == {team.engineer.pk, team.manager.pk}


def test_changes_before_the_last_approval_do_not_count(team: Team, reference: Tara) -> None:
    _rename(team.manager, reference, "r1 by the manager")
    tara = services.submit_for_review(actor=team.engineer, tara_id=reference.pk)
    services.approve(actor=team.reviewer, tara_id=tara.pk, content_sha256=tara.content_sha256)
    _rename(team.engineer, reference, "r2 by the engineer")
    tara = services.submit_for_review(actor=team.engineer, tara_id=reference.pk)
    services.return_to_draft(actor=team.manager, tara_id=tara.pk, reason="again")
    tara = services.submit_for_review(actor=team.engineer, tara_id=reference.pk)
    assert selectors.revision_authors(tara) == {team.engineer.pk}
    baseline = services.approve(actor=team.manager, tara_id=tara.pk, content_sha256=tara.content_sha256)
    assert (baseline.name, baseline.approved_by) == ("r2 approved", team.manager)


def test_the_api_refuses_an_author_with_409_and_the_reason(team: Team, reference: Tara) -> None:
    _rename(team.manager, reference, "Changed by the manager")
    tara = services.submit_for_review(actor=team.engineer, tara_id=reference.pk)
    response = _client(team.manager).post(
        f"/api/v1/taras/{tara.pk}/approve",
        {"content_sha256": tara.content_sha256},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert "four eyes: you changed this revision" in response.json()["detail"]
    tara.refresh_from_db()
    assert tara.state == State.IN_REVIEW


def test_the_page_shows_the_refusal_to_an_author(team: Team, reference: Tara) -> None:
    _rename(team.manager, reference, "Changed by the manager")
    tara = services.submit_for_review(actor=team.engineer, tara_id=reference.pk)
    response = _client(team.manager).post(
        f"/taras/{tara.pk}/approve/", {"content_sha256": tara.content_sha256}, follow=True
    )
    assert "four eyes: you changed this revision" in response.content.decode()
    tara.refresh_from_db()
    assert tara.state == State.IN_REVIEW
