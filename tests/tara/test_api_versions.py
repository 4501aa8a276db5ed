"""The API over a TARA's versions (the working state and its baselines): the diff with every risk value."""

from __future__ import annotations

import pytest

from opencsms.tara import services
from opencsms.tara.models import Baseline
from tests.factories.workspace import Workspace

pytestmark = pytest.mark.django_db


def lower_ds01_safety(workspace: Workspace) -> None:
    """DS-01's safety impact severe -> negligible: TS-01's safety risk 5 -> 1, its highest stays 5."""
    services.update_element(
        actor=workspace.users["engineer"],
        tara_id=workspace.tara.pk,
        kind="damage_scenarios",
        ref="DS-01",
        changes={"impact": {"safety": "negligible", "operational": "severe", "financial": "major"}},
    )


def freeze(workspace: Workspace, name: str = "before") -> Baseline:
    return services.create_baseline(actor=workspace.users["engineer"], tara_id=workspace.tara.pk, name=name)


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
