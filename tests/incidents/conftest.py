"""Fixtures of the incident tests: the vulnerability tests' team (people in every role on a project, an
outsider on another) with a release of three findings (`pads`), and the monitored workspace for pages."""

from __future__ import annotations

import pytest

from opencsms.vulns.models import Finding
from tests.tara.conftest import Team, module_workspace, reference, team, workspace
from tests.vulns.conftest import module_monitored, monitored, pads_release

__all__ = ["Team", "module_monitored", "module_workspace", "monitored", "reference", "team", "workspace"]


@pytest.fixture
def finding(team: Team) -> Finding:
    """CVE-2024-1 (critical) in left-pad 1.0.0 of the team's release."""
    return pads_release(team).findings.get(vulnerability_id="CVE-2024-1")
