"""Threat generation in the workspace: proposals added once, decisions kept across regenerations."""

from __future__ import annotations

import pytest

from opencsms.core.audit import AuditAction
from opencsms.core.models import ChangeRecord
from opencsms.tara import services
from opencsms.tara.models import Element, Kind, Tara
from tests.integration.tara.conftest import Team

pytestmark = pytest.mark.django_db


def _generated(tara: Tara) -> dict[str, Element]:
    found = Element.objects.filter(tara=tara, kind=Kind.THREAT_SCENARIO, ref__startswith="G-")
    return {element.ref: element for element in found}


def test_generation_adds_proposals_once_and_keeps_a_rejection(team: Team, reference: Tara) -> None:
    before = Element.objects.filter(tara=reference, kind=Kind.THREAT_SCENARIO).count()
    plan = services.generate_threats(actor=team.engineer, tara_id=reference.pk)
    generated = _generated(reference)
    assert len(plan.add) == len(generated) > 0
    assert Element.objects.filter(tara=reference, kind=Kind.THREAT_SCENARIO).count() == before + len(plan.add)
    first = next(iter(generated.values()))
    assert (first.data["status"], first.status) == ("proposed", "proposed")
    assert first.data["generated"]["rule"]
    assert first.position >= before
    record = ChangeRecord.objects.get(action=AuditAction.THREATS_GENERATED)
    assert sorted(record.after["added"]) == sorted(generated)

    services.update_element(
        actor=team.engineer,
        tara_id=reference.pk,
        kind="threat_scenarios",
        ref=first.ref,
        changes={"status": "rejected", "rationale": "the port is fused off in production"},
    )
    again = services.generate_threats(actor=team.engineer, tara_id=reference.pk)
    assert again.changes == 0
    kept = Element.objects.get(tara=reference, ref=first.ref)
    assert (kept.data["status"], kept.data["rationale"]) == (
        "rejected",
        "the port is fused off in production",
    )


def test_a_new_component_and_asset_bring_new_proposals(team: Team, reference: Tara) -> None:
    services.generate_threats(actor=team.engineer, tara_id=reference.pk)
    count = len(_generated(reference))
    edit = {"actor": team.engineer, "tara_id": reference.pk}
    services.create_element(
        **edit, kind="components", data={"id": "ECU-DASHCAM", "name": "Dash camera", "kind": "ecu"}
    )
    services.create_element(
        **edit,
        kind="interfaces",
        data={
            "id": "IF-DASHCAM-WIFI",
            "name": "Dash camera Wi-Fi",
            "kind": "wifi",
            "components": ["ECU-DASHCAM"],
            "external": True,
        },
    )
    services.create_element(
        **edit,
        kind="assets",
        data={
            "id": "A-DASHCAM-VIDEO",
            "name": "Recorded video",
            "properties": ["confidentiality"],
            "component": "ECU-DASHCAM",
        },
    )
    plan = services.generate_threats(**edit)
    assert plan.add
    assert all("A-DASHCAM-VIDEO" in p.id for p in plan.add)
    assert len(_generated(reference)) == count + len(plan.add)
