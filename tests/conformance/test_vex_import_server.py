"""Real VEX documents imported in the server as triage: CycloneDX's VEX example (CC0) sets the triage of the
jackson-databind finding of its own BOM; an OASIS CSAF VEX example that justifies `not_affected` only by an
impact statement is refused, naming the statement (the server's triage needs one of CISA's justifications)."""

from __future__ import annotations

import json

import pytest

from opencsms.core.errors import Invalid
from opencsms.vulns import services
from opencsms.vulns.models import Finding
from tests.conformance.shared import shared
from tests.factories.vulns import make_release
from tests.vulns.conftest import Team, team

__all__ = ["team"]

pytestmark = pytest.mark.django_db
JACKSON = {
    "id": "GHSA-conformance",
    "aliases": ["CVE-2020-25649"],
    "modified": "2022-01-01T00:00:00Z",
    "affected": [
        {
            "package": {"ecosystem": "Maven", "name": "com.fasterxml.jackson.core:jackson-databind"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}],
        }
    ],
}


def test_cyclonedx_vex_example_triages_its_bom(team: Team) -> None:
    folder = shared("sboms", "cyclonedx-examples", "VEX")
    services.import_advisories(
        actor=team.engineer, project_id=team.project.pk, raw=json.dumps(JACKSON).encode()
    )
    release = services.upload_sbom(
        actor=team.engineer, project_id=team.project.pk, name="example", version="1",
        raw=(folder / "bom.json").read_bytes(), filename="bom.json",
    )  # fmt: skip
    made = services.import_vex(
        actor=team.engineer,
        release_id=release.pk,
        raw=(folder / "vex.json").read_bytes(),
        filename="vex.json",
    )
    assert (made.kind, made.counts["applied"]) == ("CycloneDX VEX", 1)
    finding = Finding.objects.get(release=release, component__purl__contains="jackson-databind@2.10.0")
    assert (finding.vex_status, finding.justification) == (
        "not_affected",
        "vulnerable_code_not_in_execute_path",
    )
    assert "not_affected (code_not_reachable): Automated dataflow analysis" in finding.rationale


def test_csaf_vex_without_a_justification_is_refused_by_statement(team: Team) -> None:
    path = shared(
        "advisories", "csaf-oasis", "csaf_2.0", "examples", "csaf", "csaf_vex", "2022-evd-uc-01-na-001.json"
    )
    release = make_release(
        team.engineer, team.project, "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"
    )
    with pytest.raises(Invalid, match=r"statement 1 \(CVE-2021-44228\): not_affected needs a justification"):
        services.import_vex(
            actor=team.engineer, release_id=release.pk, raw=path.read_bytes(), filename=path.name
        )
