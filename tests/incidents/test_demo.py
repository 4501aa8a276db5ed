"""The demo's incident: the organisation's plan and one incident opened from the TCU release's most
severe finding, with its records; loading the demo again adds nothing."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from opencsms.cli.main import app
from opencsms.incidents.demo import TITLE
from opencsms.incidents.models import Incident, ResponsePlan

pytestmark = pytest.mark.django_db
runner = CliRunner()


def test_the_demo_has_one_incident_opened_from_a_finding_under_the_organisations_plan() -> None:
    result = runner.invoke(app, ["server", "demo"])
    assert result.exit_code == 0, result.output
    assert "Incidents: one open incident" in result.output
    plan = ResponsePlan.objects.get()
    assert (plan.project_id, plan.revision, len(plan.criteria)) == (None, 1, 3)
    incident = Incident.objects.get()
    finding = incident.findings.get()
    assert (incident.title, incident.status, incident.attack_detected) == (TITLE, "open", True)
    assert finding.release.name == "TCU firmware"
    assert finding.vulnerability_id in incident.description
    kinds = list(incident.timeline.values_list("kind", flat=True))
    assert kinds == ["status_change", "observation", "communication"]
    assert (incident.actions.count(), incident.communications.count()) == (1, 1)
    assert runner.invoke(app, ["server", "demo"]).exit_code == 0
    assert (Incident.objects.count(), ResponsePlan.objects.count(), incident.timeline.count()) == (1, 1, 3)
