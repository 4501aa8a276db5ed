"""Review, approval with four eyes and a content hash, revisions after approval, baselines and their diff."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from opencsms.core.audit import AuditAction
from opencsms.core.errors import Conflict, Invalid
from opencsms.core.models import ChangeRecord
from opencsms.tara import selectors, services
from opencsms.tara.models import State, Tara
from tests.tara.conftest import Team

pytestmark = pytest.mark.django_db


def _refresh(tara: Tara) -> Tara:
    tara.refresh_from_db()
    return tara


def test_draft_review_approval_and_a_new_revision(team: Team, reference: Tara) -> None:
    tara = services.submit_for_review(actor=team.engineer, tara_id=reference.pk, note="ready")
    assert (tara.state, tara.submitted_by) == (State.IN_REVIEW, team.engineer)
    with pytest.raises(Conflict, match="in review"):
        services.update_element(
            actor=team.engineer, tara_id=tara.pk, kind="assets", ref="A-01", changes={"name": "x"}
        )
    with pytest.raises(PermissionDenied):
        services.approve(actor=team.auditor, tara_id=tara.pk, content_sha256=tara.content_sha256)
    with pytest.raises(Conflict, match="changed since"):
        services.approve(actor=team.reviewer, tara_id=tara.pk, content_sha256="0" * 64)
    baseline = services.approve(actor=team.reviewer, tara_id=tara.pk, content_sha256=tara.content_sha256)
    assert (baseline.name, baseline.approved_by, baseline.content_sha256) == (
        "r1 approved",
        team.reviewer,
        tara.content_sha256,
    )
    assert baseline.content == selectors.export_yaml(tara)
    assert _refresh(tara).state == State.APPROVED
    services.update_element(
        actor=team.engineer, tara_id=tara.pk, kind="assets", ref="A-01", changes={"name": "x"}
    )
    tara = _refresh(tara)
    assert (tara.state, tara.revision) == (State.DRAFT, 2)
    actions = list(ChangeRecord.objects.filter(object_type="tara.tara").values_list("action", flat=True))
    assert actions == [
        AuditAction.TARA_IMPORTED,
        AuditAction.TARA_SUBMITTED,
        AuditAction.TARA_APPROVED,
        AuditAction.TARA_REVISION_STARTED,
    ]


def test_four_eyes_and_returning_with_a_reason(team: Team, reference: Tara) -> None:
    services.submit_for_review(actor=team.manager, tara_id=reference.pk)
    with pytest.raises(Conflict, match="four eyes"):
        services.approve(actor=team.manager, tara_id=reference.pk, content_sha256=reference.content_sha256)
    with pytest.raises(Invalid):
        services.return_to_draft(actor=team.reviewer, tara_id=reference.pk, reason=" ")
    tara = services.return_to_draft(actor=team.reviewer, tara_id=reference.pk, reason="rate TS-03 again")
    assert tara.state == State.DRAFT
    assert ChangeRecord.objects.get(action=AuditAction.TARA_RETURNED).reason == "rate TS-03 again"


def test_baseline_diff_shows_the_changed_risk(team: Team, reference: Tara) -> None:
    first = services.create_baseline(actor=team.engineer, tara_id=reference.pk, name="before")
    with pytest.raises(Conflict):
        services.create_baseline(actor=team.engineer, tara_id=reference.pk, name="before")
    with pytest.raises(PermissionDenied):
        services.create_baseline(actor=team.auditor, tara_id=reference.pk, name="mine")
    services.update_element(
        actor=team.engineer,
        tara_id=reference.pk,
        kind="damage_scenarios",
        ref="DS-01",
        changes={
            "impact": {
                "safety": "negligible",
                "financial": "negligible",
                "operational": "negligible",
                "privacy": "negligible",
            }
        },
    )
    changes = selectors.diff_data(reference, f"baseline:{first.pk}", "working")
    changed = {(e["collection"], e["id"]) for e in changes["elements"]}
    assert ("damage_scenarios", "DS-01") in changed
    assert changes["risks"], "lowering an impact moves some risk value"
    assert selectors.diff_data(reference, f"baseline:{first.pk}", f"baseline:{first.pk}")["elements"] == []
