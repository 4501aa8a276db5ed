"""The pages of the loop into the TARA: the organisation's rule on its advisories page, the proposals on a
finding's page and on the TARA's threat scenario page, each confirmed or rejected there."""

from __future__ import annotations

import pytest
from django.test import Client

from opencsms.core.models import ChangeRecord
from opencsms.organisation.models import Role
from opencsms.tara.models import Element, Kind
from opencsms.vulns.models import LinkStatus, LoopRule, StepLink
from tests.factories.core import make_user
from tests.factories.organisation import make_membership
from tests.factories.vulns import make_proposal
from tests.factories.workspace import Monitored

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def _text(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


def _org_manager(monitored: Monitored) -> Client:
    user = make_user("org-manager")
    make_membership(user, monitored.workspace.tree.organisation, Role.CYBERSECURITY_MANAGER)
    client = Client()
    client.force_login(user)
    return client


def test_the_rule_is_set_on_the_organisations_advisories_page(monitored: Monitored) -> None:
    organisation = monitored.workspace.tree.organisation
    path = f"/organisations/{organisation.pk}/advisories/"
    manager = _org_manager(monitored)
    page = _text(manager.get(path))
    assert 'data-testid="loop-rule-form"' in page
    assert '<option value="off" selected>' in page  # no rule yet: off
    done = manager.post(f"/organisations/{organisation.pk}/tara-loop-rule/", {"mode": "automatic"})
    assert done["Location"] == path
    assert LoopRule.objects.get(organisation=organisation).mode == "automatic"
    assert '<option value="automatic" selected>' in _text(manager.get(path))
    refused = manager.post(f"/organisations/{organisation.pk}/tara-loop-rule/", {"mode": "always"}, **HX)
    assert "Select a valid choice" in _text(refused)
    assert LoopRule.objects.get(organisation=organisation).mode == "automatic"
    project_page = _text(
        monitored.client("engineer").get(f"/projects/{monitored.release.project_id}/advisories/")
    )
    assert 'data-testid="loop-rule-form"' not in project_page
    assert "Automatic: attack steps are re-rated at once" in project_page  # shown, not editable


def test_a_proposal_is_confirmed_on_the_finding_page(monitored: Monitored) -> None:
    finding, engineer = monitored.finding, monitored.client("engineer")
    proposal = make_proposal(finding)
    page = _text(engineer.get(f"/findings/{finding.pk}/"))
    assert 'data-status="proposed"' in page
    assert f"/findings/{finding.pk}/step-links/{proposal.pk}/confirm/" in page
    auditor_page = _text(monitored.client("auditor").get(f"/findings/{finding.pk}/"))
    assert 'data-status="proposed"' in auditor_page
    assert "confirm-link" not in auditor_page  # seen, not decided
    done = engineer.post(
        f"/findings/{finding.pk}/step-links/{proposal.pk}/confirm/", {"from": "finding"}, **HX
    )
    assert done["Location"] == f"/findings/{finding.pk}/threats/"
    panel = _text(engineer.get(done["Location"], **HX))
    assert 'data-status="applied"' in panel
    proposal.refresh_from_db()
    assert proposal.status == LinkStatus.APPLIED
    step = Element.objects.get(tara=monitored.workspace.tara, kind=Kind.THREAT_SCENARIO, ref="TS-05")
    assert step.data["attack_paths"][0]["tree"]["and"][0]["cvss"] == proposal.cvss
    again = engineer.post(f"/findings/{finding.pk}/step-links/{proposal.pk}/confirm/", **HX)
    assert "is applied, not proposed" in _text(again)


def test_a_proposal_is_rejected_on_the_tara_page(monitored: Monitored) -> None:
    finding, engineer, tara = monitored.finding, monitored.client("engineer"), monitored.workspace.tara
    proposal = make_proposal(finding)
    element_page = _text(engineer.get(f"/taras/{tara.pk}/threat_scenarios/TS-05/"))
    assert f"/taras/{tara.pk}/threats/TS-05/findings/" in element_page
    panel = _text(engineer.get(f"/taras/{tara.pk}/threats/TS-05/findings/", **HX))
    assert finding.vulnerability_id in panel
    assert 'data-status="proposed"' in panel
    assert "No finding rates" in _text(engineer.get(f"/taras/{tara.pk}/threats/TS-01/findings/", **HX))
    before = Element.objects.get(tara=tara, kind=Kind.THREAT_SCENARIO, ref="TS-05").data
    done = engineer.post(
        f"/findings/{finding.pk}/step-links/{proposal.pk}/reject/",
        {"from": "tara", "reason": "the modem filters it"},
        **HX,
    )
    assert done["Location"] == f"/taras/{tara.pk}/threats/TS-05/findings/"
    assert 'data-status="rejected"' in _text(engineer.get(done["Location"], **HX))
    assert Element.objects.get(tara=tara, kind=Kind.THREAT_SCENARIO, ref="TS-05").data == before
    record = ChangeRecord.objects.get(action="vulns_step_link.rejected")
    assert record.reason == "the modem filters it"
    other = make_proposal(monitored.release.findings.exclude(pk=finding.pk).first(), address="1")
    wrong = engineer.post(f"/findings/{finding.pk}/step-links/{other.pk}/reject/")
    assert wrong.status_code == 404  # a proposal of another finding is not this finding's
    assert StepLink.objects.get(pk=other.pk).status == LinkStatus.PROPOSED
