"""The API over a TARA's versions (the working state and its baselines): the diff with every risk value,
and the report of any version with its document control block, named after it."""

from __future__ import annotations

import json

import pytest

from opencsms.engine.reports import FORMATS
from opencsms.tara import services
from tests.factories.workspace import (
    Workspace,
    approved_then_changed,
    disposition_name,
    freeze,
    lower_ds01_safety,
)
from tests.golden_files import readable_text

pytestmark = pytest.mark.django_db


def test_the_diff_endpoint_lists_each_changed_risk_value(workspace: Workspace) -> None:
    baseline = freeze(workspace)
    lower_ds01_safety(workspace)
    url = f"/api/v1/taras/{workspace.tara.pk}/diff"
    body = workspace.client("auditor").get(url, {"old": f"baseline:{baseline.pk}"}).json()
    assert body["risks"] == []  # no threat scenario's highest risk moved
    assert {
        "threat": "TS-01",
        "damage_scenario": "DS-01",
        "category": "safety",
        "field": "risk",
        "old": 5,
        "new": 1,
    } in body["risk_values"]
    residual = [v for v in body["risk_values"] if v["threat"] == "TS-01" and v["field"] == "residual_risk"]
    assert [(v["old"], v["new"]) for v in residual] == [(2, 1)]
    second = freeze(workspace, "after")
    same = workspace.client("auditor").get(url, {"old": f"baseline:{second.pk}"}).json()
    assert same["risk_values"] == []
    refused = workspace.client("auditor").get(url, {"old": "yesterday"})
    assert refused.status_code == 422
    assert "yesterday" in refused.json()["detail"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_baseline_report_names_its_version_in_every_format(workspace: Workspace, fmt: str) -> None:
    approval, approver = approved_then_changed(workspace)
    tara = workspace.tara
    url = f"/api/v1/taras/{tara.pk}/report"
    response = workspace.client("auditor").get(url, {"format": fmt, "version": f"baseline:{approval.pk}"})
    assert response.status_code == 200
    digest = approval.content_sha256
    assert disposition_name(response) == f"{tara.ref}-r1-approved-{digest[:8]}.{fmt}"
    text = readable_text(response.content, fmt, first_pages=2)  # the cover and its control block
    for shown in (tara.name, "approved", approver, digest, "Baseline r1 approved"):
        assert shown in text, f"{shown!r} missing from the {fmt} report"
    assert ('"revision": 1' if fmt == "json" else "r1") in text


def test_the_working_state_report_names_its_revision_and_state(workspace: Workspace) -> None:
    approval, _ = approved_then_changed(workspace)
    tara = workspace.tara
    tara.refresh_from_db()
    assert tara.content_sha256 != approval.content_sha256
    response = workspace.client("auditor").get(f"/api/v1/taras/{tara.pk}/report", {"format": "md"})
    assert disposition_name(response) == f"{tara.ref}-r2-draft-{tara.content_sha256[:8]}.md"
    text = response.content.decode()
    assert "- **Revision:** r2" in text
    assert "- **Review state:** draft" in text
    assert "- **Approved by:** not approved" in text
    assert f"- **Content hash (SHA-256):** {tara.content_sha256}" in text


def test_an_approved_working_state_names_its_approver(workspace: Workspace) -> None:
    tara, reviewer = workspace.tara, workspace.users["reviewer"]
    services.submit_for_review(actor=workspace.users["engineer"], tara_id=tara.pk)
    tara.refresh_from_db()
    services.approve(actor=reviewer, tara_id=tara.pk, content_sha256=tara.content_sha256)
    response = workspace.client("auditor").get(f"/api/v1/taras/{tara.pk}/report", {"format": "json"})
    control = json.loads(response.content)["document_control"]
    assert (control["state"], control["approver"], control["version"]) == (
        "approved",
        reviewer.get_full_name() or reviewer.username,
        "Working state",
    )
    assert disposition_name(response) == f"{tara.ref}-r1-approved-{tara.content_sha256[:8]}.json"


def test_a_plain_baseline_is_not_approved_and_bad_versions_are_refused(workspace: Workspace) -> None:
    plain = freeze(workspace)
    client, url = workspace.client("auditor"), f"/api/v1/taras/{workspace.tara.pk}/report"
    response = client.get(url, {"format": "json", "version": f"baseline:{plain.pk}"})
    control = json.loads(response.content)["document_control"]
    assert (control["state"], control["approver"]) == ("not approved", None)
    assert "-r1-not-approved-" in disposition_name(response)
    refused = client.get(url, {"format": "json", "version": "latest"})
    assert refused.status_code == 422
    assert "latest" in refused.json()["detail"]
    assert client.get(url, {"format": "json", "version": "baseline:999999"}).status_code == 404
    assert client.get(url, {"format": "docx", "version": f"baseline:{plain.pk}"}).status_code == 422
