"""The pages over a TARA's versions (the working state and its baselines): the diff with every risk value."""

from __future__ import annotations

import pytest

from tests.factories.workspace import Workspace
from tests.tara.test_api_versions import freeze, lower_ds01_safety

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def test_the_diff_page_shows_a_risk_value_below_the_highest(workspace: Workspace) -> None:
    baseline = freeze(workspace)
    lower_ds01_safety(workspace)
    tara = workspace.tara
    page = workspace.client("auditor").get(f"/taras/{tara.pk}/diff/", {"old": f"baseline:{baseline.pk}"})
    html = page.content.decode()
    assert "0 risk changes, 12 risk value changes." in html
    assert 'data-testid="risk-value-changes"' in html
    row = html.split('data-testid="risk-value-changes"')[1].split("</tr>")[1]
    assert f'href="/taras/{tara.pk}/threat_scenarios/TS-01/">TS-01</a>' in row
    assert f'href="/taras/{tara.pk}/damage_scenarios/DS-01/">DS-01</a>' in row
    assert "<td>safety</td><td>risk</td>" in row
    assert "<del>5</del>" in row
    assert "<ins>1</ins>" in row
    same = workspace.client("auditor").get(f"/taras/{tara.pk}/diff/", {"old": "working"}, **HX)
    assert "0 risk value changes" in same.content.decode()
    assert 'data-testid="risk-value-changes"' not in same.content.decode()
