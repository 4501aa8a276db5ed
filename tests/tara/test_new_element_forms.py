"""The structured "new element" forms (no YAML) for assets, damage scenarios and threat scenarios: they
offer the elements that may be referenced as pickers, save what they show, and refuse bad input beside
its field."""

from __future__ import annotations

import pytest

from opencsms.core.audit import AuditAction
from opencsms.core.models import ChangeRecord
from opencsms.tara.models import Element
from tests.factories.workspace import Workspace

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "new-element"}


def _new(workspace: Workspace, kind: str, data: dict[str, object]) -> tuple[int, str, str]:
    response = workspace.client("engineer").post(f"/taras/{workspace.tara.pk}/{kind}/new/fields/", data, **HX)
    return response.status_code, response.get("HX-Redirect", ""), response.content.decode()


def test_the_pickers_list_what_may_be_referenced(workspace: Workspace) -> None:
    client = workspace.client("engineer")
    threats = client.get(f"/taras/{workspace.tara.pk}/threat_scenarios/").content.decode()
    assert 'data-testid="new-element-form"' in threats
    assert '<select id="new-damage" name="damage_scenarios" multiple' in threats
    assert '<option value="DS-01">DS-01 ' in threats
    assert '<option value="A-01">A-01 ' in threats
    assets = client.get(f"/taras/{workspace.tara.pk}/assets/").content.decode()
    assert '<option value="integrity">Integrity</option>' in assets
    damage = client.get(f"/taras/{workspace.tara.pk}/damage_scenarios/").content.decode()
    assert 'name="impact_safety"' in damage
    assert "New damage scenario as YAML (the expert's view)" in damage
    goals = client.get(f"/taras/{workspace.tara.pk}/goals/").content.decode()
    assert 'data-testid="new-element-form"' in goals  # every kind has one (test_spec_element_forms.py)
    reader = workspace.client("auditor").get(f"/taras/{workspace.tara.pk}/assets/").content.decode()
    assert 'data-testid="new-element-form"' not in reader


def test_each_kind_is_created_from_its_fields(workspace: Workspace) -> None:
    tara = workspace.tara
    status, go, _ = _new(
        workspace,
        "assets",
        {
            "id": "A-90",
            "name": "Spare key",
            "component": "TCU",
            "properties": ["confidentiality", "integrity"],
        },
    )
    assert (status, go) == (200, f"/taras/{tara.pk}/assets/A-90/")
    assert Element.objects.get(tara=tara, ref="A-90").data == {
        "id": "A-90",
        "name": "Spare key",
        "component": "TCU",
        "properties": ["confidentiality", "integrity"],
    }
    _new(
        workspace,
        "damage_scenarios",
        {
            "id": "DS-90",
            "name": "Key copied",
            "impact_financial": "major",
            "impact_safety": "",
            "rationale": "r",
        },
    )
    assert Element.objects.get(tara=tara, ref="DS-90").data == {
        "id": "DS-90",
        "name": "Key copied",
        "rationale": "r",
        "impact": {"financial": "major"},
    }
    status, go, _ = _new(
        workspace,
        "threat_scenarios",
        {
            "id": "TS-90",
            "name": "Key extracted",
            "asset": "A-90",
            "property": "confidentiality",
            "stride": "I",
            "damage_scenarios": ["DS-90", "DS-01"],
        },
    )
    assert go == f"/taras/{tara.pk}/threat_scenarios/TS-90/"
    threat = Element.objects.get(tara=tara, ref="TS-90")
    assert threat.data["damage_scenarios"] == ["DS-90", "DS-01"]
    assert threat.impact == "severe"  # rated at once: DS-01's impact
    record = ChangeRecord.objects.order_by("-seq").first()
    assert record is not None
    assert (record.action, record.actor_id) == (AuditAction.ELEMENT_CREATED, workspace.users["engineer"].pk)


def test_refusals_are_named_beside_their_field_and_nothing_is_created(workspace: Workspace) -> None:
    status, go, body = _new(workspace, "assets", {"id": "A-91", "name": ""})
    assert (status, go) == (200, "")
    assert '<li data-for="name">give it a name</li>' in body
    assert '<li data-for="properties">pick one or more</li>' in body
    _, _, body = _new(workspace, "assets", {"id": "A-01", "name": "x", "properties": ["integrity"]})
    assert "the TARA has an asset &#x27;A-01&#x27; already" in body
    assert '<li data-for="id">A-01 is taken: choose a new id</li>' in body
    _, _, body = _new(
        workspace,
        "threat_scenarios",
        {
            "id": "TS-91",
            "name": "x",
            "asset": "A-01",
            "property": "integrity",
            "damage_scenarios": ["DS-NOPE"],
        },
    )
    assert '<li data-for="damage_scenarios">' in body
    assert not Element.objects.filter(tara=workspace.tara, ref__in=["A-91", "TS-91"]).exists()
