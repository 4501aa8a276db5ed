"""The loop into the TARA: a finding on a release placed on a TARA component re-rates an attack step."""

from __future__ import annotations

import pytest

from opencsms.core.errors import Invalid
from opencsms.core.models import ChangeRecord
from opencsms.tara.models import Element, Kind, Tara
from opencsms.vulns import selectors, services
from opencsms.vulns.models import Finding, Notification
from opencsms.vulns.selectors.tara_loop import (
    loop_elements,
    step_keys,
    step_keys_by_component,
    threats_on_component,
)
from tests.factories.vulns import CRITICAL, make_release, osv, osv_bytes
from tests.vulns.conftest import Team

pytestmark = pytest.mark.django_db


def _finding(team: Team, tara: Tara, component_ref: str = "TCU") -> Finding:
    services.import_advisories(
        actor=team.engineer,
        project_id=team.project.pk,
        raw=osv_bytes(osv("GHSA-m", "modem-stack", ecosystem="Go", vector=CRITICAL, fixed="1.2.0")),
    )
    release = make_release(
        team.engineer,
        team.project,
        "pkg:golang/modem-stack@v1.0.0",
        version=component_ref or "unplaced",
        component_ref=component_ref,
        tara_id=tara.pk,
    )
    return Finding.objects.get(release=release)


def test_threats_through_the_component(team: Team, reference: Tara) -> None:
    threats = selectors.threats_for_finding(_finding(team, reference))
    refs = {t["ref"] for t in threats}
    assert {"TS-01", "TS-05"} <= refs  # TS-01 and TS-05 attack over CELL, which the TCU is attached to
    ts05 = next(t for t in threats if t["ref"] == "TS-05")
    (path,) = ts05["paths"]
    assert path["id"] == "AP-05a"
    assert [s["address"] for s in path["steps"]] == ["0", "1"]
    assert all(s["interface"] == "CELL" for s in path["steps"])
    ts01 = next(t for t in threats if t["ref"] == "TS-01")
    assert ts01["on_asset"] is False


def test_steps_of_many_components_read_at_once_are_those_of_each(reference: Tara) -> None:
    """The loop walks a TARA's trees once for all the components its new findings are on: the steps it
    finds per component are those `threats_on_component` lists, in the same order."""
    elements = loop_elements(reference.pk)
    components = sorted(reference.elements.filter(kind=Kind.COMPONENT).values_list("ref", flat=True))
    at_once = step_keys_by_component([*components, "NOT-A-COMPONENT"], elements)
    one_by_one = {ref: step_keys(threats_on_component(reference.pk, ref, elements)) for ref in components}
    assert at_once == {**one_by_one, "NOT-A-COMPONENT": []}
    carrying = [ref for ref in components if at_once[ref]]
    assert len(carrying) >= 2
    assert len({tuple(at_once[ref]) for ref in carrying}) == len(carrying)


def test_link_rerates_the_step_and_notifies(team: Team, reference: Tara) -> None:
    finding = _finding(team, reference)
    before = Element.objects.get(tara=reference, kind=Kind.THREAT_SCENARIO, ref="TS-05")
    element = services.link_finding_to_step(
        actor=team.engineer, finding_id=finding.pk, threat_ref="TS-05", path_ref="AP-05a", address="0"
    )
    step = element.data["attack_paths"][0]["tree"]["and"][0]
    assert step["cvss"] == "AV:N/AC:L/PR:N/UI:N"
    assert (before.risk, before.feasibility) != (element.risk, element.feasibility)
    assert element.risk > before.risk
    assert ChangeRecord.objects.filter(action="tara_element.attack_tree_edited").count() == 1
    link = ChangeRecord.objects.get(action="vulns_step_link.applied")
    assert (link.after["risk_before"], link.after["risk_after"]) == (before.risk, element.risk)
    assert (link.actor, link.reason) == (team.engineer, "re-rated by hand from the finding")
    acceptance = reference.header["method"]["acceptance"]
    assert acceptance < before.risk < element.risk  # a rise above acceptance: one notification per person
    notified = {n.user for n in Notification.objects.all()}
    assert notified == {team.engineer, team.manager}  # not the reviewer, auditor or outsider
    assert "TS-05" in Notification.objects.first().message
    assert list(selectors.notifications(team.manager)) == list(Notification.objects.filter(user=team.manager))


def test_link_refusals(team: Team, reference: Tara) -> None:
    finding = _finding(team, reference)
    with pytest.raises(Invalid, match="does not pass through"):
        services.link_finding_to_step(
            actor=team.engineer, finding_id=finding.pk, threat_ref="TS-06", path_ref="AP-06a", address=""
        )
    with pytest.raises(Exception, match="may not edit"):
        services.link_finding_to_step(
            actor=team.reviewer, finding_id=finding.pk, threat_ref="TS-05", path_ref="AP-05a", address="0"
        )
    unplaced = _finding(team, reference, component_ref="")
    assert selectors.threats_for_finding(unplaced) == []
