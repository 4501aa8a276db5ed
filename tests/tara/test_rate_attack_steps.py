"""`rate_attack_steps`: many attack steps of one TARA re-rated in one edit (the batch of the loop)."""

from __future__ import annotations

import pytest

from opencsms.core.errors import Invalid
from opencsms.core.models import ChangeRecord
from opencsms.tara import services
from opencsms.tara.models import Element, Kind, Tara
from tests.tara.conftest import Team

pytestmark = pytest.mark.django_db

NETWORK = "AV:N/AC:L/PR:N/UI:N"


def _threat(tara: Tara, ref: str) -> Element:
    return Element.objects.get(tara=tara, kind=Kind.THREAT_SCENARIO, ref=ref)


def test_steps_of_one_tara_are_rated_in_one_edit(team: Team, reference: Tara) -> None:
    before = _threat(reference, "TS-05")
    edits = ChangeRecord.objects.filter(action="tara_element.attack_tree_edited")
    risks = services.rate_attack_steps(
        actor=team.engineer,
        tara_id=reference.pk,
        ratings=[("TS-05", "AP-05a", "0", NETWORK), ("TS-05", "AP-05a", "1", "AV:L/AC:H/PR:H/UI:R")],
    )
    assert risks == {"TS-05": before.risk}
    after = _threat(reference, "TS-05")
    steps = after.data["attack_paths"][0]["tree"]["and"]
    assert [s["cvss"] for s in steps[:2]] == [NETWORK, "AV:L/AC:H/PR:H/UI:R"]
    (record,) = edits  # one audit record for the threat scenario, both steps in it
    assert (record.actor, record.object_id) == (team.engineer, str(after.pk))
    assert record.after["attack_paths"][0]["tree"]["and"][0]["cvss"] == NETWORK


def test_a_missing_step_refuses_the_whole_change(team: Team, reference: Tara) -> None:
    before = _threat(reference, "TS-05").data
    with pytest.raises(Invalid):
        services.rate_attack_steps(
            actor=team.engineer,
            tara_id=reference.pk,
            ratings=[("TS-05", "AP-05a", "0", NETWORK), ("TS-05", "AP-05a", "7.3", NETWORK)],
        )
    with pytest.raises(Invalid, match="no threat scenario 'TS-99'"):
        services.rate_attack_steps(
            actor=team.engineer, tara_id=reference.pk, ratings=[("TS-99", "P", "0", NETWORK)]
        )
    assert _threat(reference, "TS-05").data == before
    with pytest.raises(Exception, match="may not edit"):
        services.rate_attack_steps(
            actor=team.reviewer, tara_id=reference.pk, ratings=[("TS-05", "AP-05a", "0", None)]
        )
