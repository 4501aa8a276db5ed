"""Threat generation in the workspace: proposals added once, decisions kept across regenerations."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from opencsms.core.audit import AuditAction
from opencsms.core.errors import Conflict, Invalid, NotFound
from opencsms.core.models import ChangeRecord
from opencsms.tara import selectors, services
from opencsms.tara.models import Element, Kind, Tara
from tests.tara.conftest import Team

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


def test_decisions_in_one_change_and_their_refusals(team: Team, reference: Tara) -> None:
    plan = services.generate_threats(actor=team.engineer, tara_id=reference.pk)
    refs = [p.id for p in plan.add[:3]]
    edit = {"actor": team.engineer, "tara_id": reference.pk}
    with pytest.raises(Invalid, match="a rejection needs a rationale"):
        services.decide_threats(**edit, refs=refs, status="rejected", rationale="  ")
    with pytest.raises(NotFound, match="'G-NOPE'"):
        services.decide_threats(**edit, refs=[*refs, "G-NOPE"], status="accepted")
    with pytest.raises(Invalid, match="status 'merged'"):
        services.decide_threats(**edit, refs=refs, status="merged")
    assert not Element.objects.filter(tara=reference, ref__in=refs).exclude(data__status="proposed").exists()
    records = ChangeRecord.objects.count()
    services.decide_threats(**edit, refs=refs, status="accepted")
    rows = Element.objects.filter(tara=reference, ref__in=refs)
    assert {(e.data["status"], e.status) for e in rows} == {("accepted", "untreated")}
    assert ChangeRecord.objects.count() == records + 3
    with pytest.raises(PermissionDenied):
        services.decide_threats(actor=team.reviewer, tara_id=reference.pk, refs=refs, status="proposed")
    with pytest.raises(NotFound):
        services.decide_threats(actor=team.outsider, tara_id=reference.pk, refs=refs, status="proposed")


def test_obsolete_proposals_are_found_by_state_and_revive(team: Team, reference: Tara) -> None:
    edit = {"actor": team.engineer, "tara_id": reference.pk}
    services.generate_threats(**edit)
    proposed = selectors.generated_threats(reference, "proposed").count()
    assert proposed == selectors.generated_threats(reference).count() > 0
    via_obd = [
        e.ref for e in selectors.generated_threats(reference) if e.data["generated"].get("interface") == "OBD"
    ]
    assert via_obd
    obd = Element.objects.get(tara=reference, kind=Kind.INTERFACE, ref="OBD")
    services.update_element(**edit, kind="interfaces", ref="OBD", changes={"kind": "can"})
    plan = services.generate_threats(**edit)
    assert set(via_obd) <= set(plan.obsolete)
    obsolete = set(selectors.generated_threats(reference, "obsolete").values_list("ref", flat=True))
    assert obsolete == set(plan.obsolete)
    assert selectors.generated_threats(reference, "proposed").count() == proposed - len(obsolete) + len(
        plan.add
    )
    services.update_element(**edit, kind="interfaces", ref="OBD", changes={"kind": obd.data["kind"]})
    revived = services.generate_threats(**edit)
    assert set(revived.revive) == obsolete
    assert not selectors.generated_threats(reference, "obsolete").exists()
    with pytest.raises(Invalid, match="state 'gone'"):
        selectors.generated_threats(reference, "gone")


def test_attaching_paths_to_a_threat_and_its_refusals(team: Team, reference: Tara) -> None:
    edit = {"actor": team.engineer, "tara_id": reference.pk}
    threat, added = services.attach_paths(**edit, threat_ref="TS-08", k=3)
    assert added == ["TS-08.AP1", "TS-08.AP2", "TS-08.AP3"]
    assert [p["id"] for p in threat.data["attack_paths"]][-3:] == added
    with pytest.raises(Conflict, match=r"TS-08 has these attack paths already \(TS-08.AP1\)"):
        services.attach_paths(**edit, threat_ref="TS-08", k=1)  # the best path again: clicked twice
    with pytest.raises(Conflict, match=r"TS-08\.AP1, TS-08\.AP2, TS-08\.AP3"):
        services.attach_paths(**edit, threat_ref="TS-08", k=3)
    kept = Element.objects.get(tara=reference, kind=Kind.THREAT_SCENARIO, ref="TS-08").data["attack_paths"]
    assert kept == threat.data["attack_paths"]
    more, again = services.attach_paths(**edit, threat_ref="TS-08", k=4)
    assert len(again) == 1  # only the fourth best path is new
    assert again[0] not in added
    assert len(more.data["attack_paths"]) == len(kept) + 1
    with pytest.raises(Invalid, match="k must be between 1 and 10"):
        services.attach_paths(**edit, threat_ref="TS-08", k=0)
    with pytest.raises(NotFound, match="'TS-999'"):
        services.attach_paths(**edit, threat_ref="TS-999", k=1)
    with pytest.raises(PermissionDenied):
        services.attach_paths(actor=team.auditor, tara_id=reference.pk, threat_ref="TS-08", k=1)


def test_generation_with_paths_rates_the_proposals_at_once(team: Team, reference: Tara) -> None:
    plan = services.generate_threats(actor=team.engineer, tara_id=reference.pk, with_paths=True)
    generated = _generated(reference)
    rated = [e for e in generated.values() if e.data.get("attack_paths")]
    assert len(rated) == len(plan.add)  # every asset of the reference model is reachable
    assert all(e.data["attack_paths"][0]["id"] == f"{e.ref}.AP1" for e in rated)
    assert all(e.risk is not None and e.feasibility for e in rated)
    record = ChangeRecord.objects.get(action=AuditAction.THREATS_GENERATED)
    assert sorted(record.after["with_paths"]) == sorted(generated)
