"""Findings a re-match creates enter the loop into the TARA by the organisation's rule, as those of a sync
do (issue 12, item 3): the attack steps on their component re-rated, audited by the system user."""

from __future__ import annotations

import pytest

from opencsms.core.models import ChangeRecord
from opencsms.core.services import system_user
from opencsms.organisation.models import Role
from opencsms.tara.models import Element, Kind, Tara
from opencsms.vulns import services
from opencsms.vulns.models import Finding, LinkStatus, StepLink
from opencsms.vulns.selectors.tara_loop import step_at
from tests.factories.core import make_user
from tests.factories.organisation import make_membership
from tests.factories.vulns import CRITICAL, make_release, osv, osv_bytes
from tests.vulns.conftest import Team

pytestmark = pytest.mark.django_db
NETWORK = "AV:N/AC:L/PR:N/UI:N"  # the CRITICAL vector's exploitability part


def test_findings_of_a_rematch_rerate_the_steps_on_their_component(team: Team, reference: Tara) -> None:
    services.import_advisories(
        actor=team.engineer,
        project_id=team.project.pk,
        raw=osv_bytes(osv("GHSA-r", "modem-stack", ecosystem="Go", vector=CRITICAL, fixed="1.2.0")),
    )
    release = make_release(
        team.engineer,
        team.project,
        "pkg:golang/modem-stack@v1.0.0",
        component_ref="TCU",
        tara_id=reference.pk,
    )
    assert not StepLink.objects.exists()  # the rule is off: the upload's finding linked nothing
    Finding.objects.filter(release=release).delete()  # as a matching change leaves it: no finding yet
    head = make_user("org-manager")
    make_membership(head, team.tree.organisation, Role.CYBERSECURITY_MANAGER)
    organisation = team.tree.organisation.pk
    services.set_tara_loop_rule(actor=head, organisation_id=organisation, mode="automatic")

    result = services.rematch_organisation(actor=head, organisation_id=organisation)

    assert result.findings_created == 1
    (finding,) = Finding.objects.filter(release=release)
    links = list(StepLink.objects.filter(finding=finding))
    assert links, "the re-match's finding made no step link"
    applied = {(link.status, link.automatic, link.cvss) for link in links}
    assert applied == {(LinkStatus.APPLIED, True, NETWORK)}
    data = Element.objects.get(tara=reference, kind=Kind.THREAT_SCENARIO, ref="TS-05").data
    step = step_at(data, "AP-05a", "0")
    assert step is not None
    assert step["cvss"] == NETWORK
    record = ChangeRecord.objects.get(action="vulns_step_link.applied", object_id=str(finding.pk))
    assert record.actor == system_user()
    assert "brought in by org-manager" in record.reason
    assert sorted(x["id"] for x in record.after["links"]) == sorted(link.pk for link in links)
