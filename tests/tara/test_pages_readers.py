"""What the TARA pages offer readers: a reviewer sees the TARA read-only with the review actions, an auditor
sees no action. Who may call each page and action is the permission matrix's (tests/config/permissions)."""

from __future__ import annotations

import pytest

from opencsms.tara import services
from tests.factories.workspace import Workspace

pytestmark = pytest.mark.django_db


def test_a_reviewer_sees_the_tara_read_only_and_may_approve(workspace: Workspace) -> None:
    page = workspace.client("reviewer").get(f"/taras/{workspace.tara.pk}/claims/CL-01/").content.decode()
    assert "Save the YAML" not in page
    assert "readonly" in page
    services.submit_for_review(actor=workspace.users["engineer"], tara_id=workspace.tara.pk)
    overview = workspace.client("reviewer").get(f"/taras/{workspace.tara.pk}/").content.decode()
    assert 'data-testid="approve-form"' in overview
    assert 'data-testid="return-form"' in overview
    assert "Withdraw" not in overview


def test_the_auditor_reads_but_sees_no_action(workspace: Workspace) -> None:
    overview = workspace.client("auditor").get(f"/taras/{workspace.tara.pk}/").content.decode()
    for form in ("submit-form", "approve-form", "baseline-form", "item-edit"):
        assert f'data-testid="{form}"' not in overview
    tree = (
        workspace.client("auditor")
        .get(f"/taras/{workspace.tara.pk}/threat_scenarios/TS-01/")
        .content.decode()
    )
    assert "Save rating" not in tree
