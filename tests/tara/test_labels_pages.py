"""The workspace pages show engine values by their labels (engine.labels), never the stored ids."""

from __future__ import annotations

import re

import pytest

from opencsms.tara import services
from opencsms.tara.models import Kind
from tests.factories.workspace import Workspace

pytestmark = pytest.mark.django_db
RAW = re.compile(r">\s*(very_low|not_applicable|one_month|six_months|attack_potential|uncovered)\s*<")


def test_tables_filters_and_forms_show_labels(workspace: Workspace) -> None:
    client = workspace.client("engineer")
    tara = workspace.tara
    engineer = workspace.users["engineer"]
    services.update_element(
        actor=engineer,
        tara_id=tara.pk,
        kind=Kind.THREAT_SCENARIO,
        ref="TS-02",
        changes={"status": "proposed"},
    )
    listing = client.get(f"/taras/{tara.pk}/threat_scenarios/?sort=feasibility").content.decode()
    assert RAW.search(listing) is None
    assert "<td>Very low</td>" in listing or "<td>Low</td>" in listing
    assert re.search(r'<option value="proposed"[^>]*>Proposed</option>', listing)
    assert "<summary>New threat scenario</summary>" in listing
    panel = client.get(f"/taras/{tara.pk}/threat_scenarios/TS-41/").content.decode()
    assert RAW.search(panel) is None
    assert re.search(r'<option value="rejected"[^>]*>Rejected</option>', panel)
    assert re.search(r'value="retain"[^>]*> Retain</label>', panel)
    assert re.search(r'data-factor="elapsed_time">Elapsed time: &lt;= 1 month</span>', panel)
    assert '<label for="f-stride">STRIDE</label>' in panel
    overview = client.get(f"/taras/{tara.pk}/").content.decode()
    assert "(Attack potential," in overview


def test_new_entry_summaries_name_one_element(workspace: Workspace) -> None:
    client = workspace.client("engineer")
    body = client.get(f"/taras/{workspace.tara.pk}/assets/").content.decode()
    assert "<summary>New asset</summary>" in body
    body = client.get(f"/taras/{workspace.tara.pk}/goals/").content.decode()
    assert "<summary>New cybersecurity goal</summary>" in body
