"""Fixtures of the vulnerability app tests: the TARA app's team (a project with people in every role) and
workspace, a release of three npm packages with three findings (critical with a CVE alias, medium,
unscored), and for the pages the workspace with the example TCU release (`monitored`)."""

from __future__ import annotations

import pytest

from opencsms.vulns import services
from opencsms.vulns.models import Release
from tests.factories.vulns import CRITICAL, MEDIUM, make_release, osv, osv_bytes
from tests.factories.workspace import Monitored, Workspace, fresh_monitored, monitor
from tests.tara.conftest import Team, import_file, module_workspace, reference, team, workspace

__all__ = [
    "Team",
    "import_file",
    "module_monitored",
    "module_workspace",
    "monitored",
    "pads_release",
    "reference",
    "team",
    "workspace",
]


def pads_release(team: Team, version: str = "1.0") -> Release:
    """Findings CVE-2024-1 (critical, alias GHSA-1), GHSA-2 (medium) and GHSA-3 (no score)."""
    services.import_advisories(
        actor=team.engineer,
        project_id=team.project.pk,
        raw=osv_bytes(
            osv("GHSA-1", "left-pad", vector=CRITICAL, aliases=("CVE-2024-1",)),
            osv("GHSA-2", "right-pad", vector=MEDIUM),
            osv("GHSA-3", "up-pad"),
        ),
    )
    purls = ("pkg:npm/left-pad@1.0.0", "pkg:npm/right-pad@1.2.0", "pkg:npm/up-pad@0.1.0")
    return make_release(team.engineer, team.project, *purls, version=version)


@pytest.fixture(scope="module")
def module_monitored(module_workspace: Workspace) -> Monitored:
    """The module's workspace with the example TCU release and its findings, built once per module."""
    return monitor(module_workspace)


@pytest.fixture
def monitored(module_monitored: Monitored, workspace: Workspace) -> Monitored:
    """The workspace with the example TCU release and its findings (tests/factories/workspace.py), read
    again for each test."""
    return fresh_monitored(module_monitored)
