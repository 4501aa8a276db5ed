"""Editing a stored TARA: element changes re-evaluate the risks, refusals keep it valid, the tree editor."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from opencsms.core.audit import AuditAction
from opencsms.core.errors import Conflict, Invalid
from opencsms.core.models import ChangeRecord
from opencsms.tara import selectors, services
from opencsms.tara.models import Element, Kind, Tara
from tests.factories.tara import HARD
from tests.tara.conftest import Team

pytestmark = pytest.mark.django_db


def _threat(tara: Tara, ref: str) -> Element:
    return Element.objects.get(tara=tara, kind=Kind.THREAT_SCENARIO, ref=ref)


def _single_step_threat(tara: Tara) -> Element:
    """A threat scenario with one attack path whose tree is a single rated step."""
    for threat in Element.objects.filter(tara=tara, kind=Kind.THREAT_SCENARIO, risk__gte=3):
        paths = threat.data.get("attack_paths", [])
        if len(paths) == 1 and "attack_potential" in paths[0]["tree"]:
            return threat
    raise AssertionError("the reference model has such a threat scenario")


def test_rating_a_step_harder_lowers_the_risk_and_is_audited(team: Team, reference: Tara) -> None:
    threat = _single_step_threat(reference)
    path = dict(threat.data["attack_paths"][0])
    path["tree"] = {**path["tree"], "attack_potential": HARD}
    changed = services.update_element(
        actor=team.engineer,
        tara_id=reference.pk,
        kind=Kind.THREAT_SCENARIO,
        ref=threat.ref,
        changes={"attack_paths": [path]},
    )
    assert changed.feasibility == "very_low"
    assert changed.risk is not None
    assert threat.risk is not None
    assert changed.risk < threat.risk
    record = ChangeRecord.objects.order_by("-seq").first()
    assert record is not None
    assert record.action == AuditAction.ELEMENT_CHANGED
    assert (record.before, record.after) == (threat.data, changed.data)
    reference.refresh_from_db()
    assert selectors.evaluated(reference).threats[threat.ref].risk == changed.risk


def test_a_dangling_reference_is_refused_and_nothing_changes(team: Team, reference: Tara) -> None:
    threat = _threat(reference, "TS-01")
    with pytest.raises(Invalid, match="NO-SUCH-ASSET"):
        services.update_element(
            actor=team.engineer,
            tara_id=reference.pk,
            kind="threat_scenarios",
            ref="TS-01",
            changes={"asset": "NO-SUCH-ASSET"},
        )
    assert _threat(reference, "TS-01").data == threat.data


def test_an_asset_in_use_cannot_be_deleted_but_a_new_one_can(team: Team, reference: Tara) -> None:
    used = _threat(reference, "TS-01").data["asset"]
    with pytest.raises(Invalid):
        services.delete_element(actor=team.engineer, tara_id=reference.pk, kind="assets", ref=used)
    new = {"id": "A-NEW", "name": "Spare key", "properties": ["confidentiality"]}
    created = services.create_element(actor=team.engineer, tara_id=reference.pk, kind="assets", data=new)
    assert (created.position, created.label) == (46, "Spare key")
    services.delete_element(actor=team.engineer, tara_id=reference.pk, kind="assets", ref="A-NEW")
    assert not Element.objects.filter(tara=reference, ref="A-NEW").exists()


def test_reviewers_and_auditors_may_not_edit(team: Team, reference: Tara) -> None:
    for who in (team.reviewer, team.auditor):
        with pytest.raises(PermissionDenied):
            services.update_element(
                actor=who, tara_id=reference.pk, kind="assets", ref="A-01", changes={"name": "x"}
            )


def test_tree_editor_adds_regates_moves_and_removes_nodes(team: Team, reference: Tara) -> None:
    threat = _single_step_threat(reference)
    path_id = threat.data["attack_paths"][0]["id"]
    step = threat.data["attack_paths"][0]["tree"]
    root = {"id": "G-1", "name": "Get in", "or": [step]}
    path = {**threat.data["attack_paths"][0], "tree": root}
    services.update_element(
        actor=team.engineer,
        tara_id=reference.pk,
        kind="threat_scenarios",
        ref=threat.ref,
        changes={"attack_paths": [path]},
    )
    hard = {"name": "Hard way", "attack_potential": HARD}
    edit = {"actor": team.engineer, "tara_id": reference.pk, "threat": threat.ref, "path": path_id}
    services.edit_attack_tree(**edit, op="add", at="", node=hard)
    tree = _threat(reference, threat.ref).data["attack_paths"][0]["tree"]
    assert [c["name"] for c in tree["or"]] == [step["name"], "Hard way"]
    easy_risk = _threat(reference, threat.ref).risk
    gated = services.edit_attack_tree(**edit, op="set_gate", at="", gate="and")
    assert gated.risk is not None
    assert easy_risk is not None
    assert gated.risk < easy_risk  # AND takes the hardest value of each factor
    services.edit_attack_tree(**edit, op="move", at="1", to="", index=0)
    tree = _threat(reference, threat.ref).data["attack_paths"][0]["tree"]
    assert [c["name"] for c in tree["and"]] == ["Hard way", step["name"]]
    back = services.edit_attack_tree(**edit, op="remove", at="0")
    assert back.risk == easy_risk
    with pytest.raises(Invalid, match="at least one child"):
        services.edit_attack_tree(**edit, op="remove", at="0")
    with pytest.raises(Invalid, match="does not exist"):
        services.edit_attack_tree(**edit, op="update", at="5", changes={"name": "x"})


def test_a_duplicate_id_is_refused_in_words(team: Team, reference: Tara) -> None:
    with pytest.raises(Conflict, match="the TARA has an asset 'A-01' already"):
        services.create_element(
            actor=team.engineer, tara_id=reference.pk, kind=Kind.ASSET, data={"id": "A-01", "name": "x"}
        )
