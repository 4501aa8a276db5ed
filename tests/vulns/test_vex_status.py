"""The database's VEX statuses are the engine's (CycloneDX, CSAF, OpenVEX and SPDX 3 share them)."""

from __future__ import annotations

from opencsms.engine.sbom import VexStatus as EngineVexStatus
from opencsms.vulns.models import VexStatus


def test_the_database_keeps_the_engines_vex_statuses_in_its_order() -> None:
    assert VexStatus.values == [status.value for status in EngineVexStatus]
