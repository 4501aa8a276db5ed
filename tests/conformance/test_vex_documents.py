"""Every VEX document in the shared data reads as statements: CycloneDX's VEX use cases (CISA's too),
the OASIS CSAF VEX examples and cve-bin-tool's CycloneDX/OpenVEX test files (read in place: GPL-3.0)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from opencsms.engine.advisories import parse_advisories
from opencsms.engine.matching import match
from opencsms.engine.sbom import VexStatus, parse_sbom
from opencsms.engine.vex import apply_vex, parse_vex
from tests.conformance.shared import SHARED, shared

FOLDERS = (
    ("sboms", "cyclonedx-examples", "VEX"),
    ("sboms", "cve-bin-tool-testdata", "test", "vex"),
    ("advisories", "csaf-oasis", "csaf_2.0", "examples", "csaf", "csaf_vex"),
)
DOCUMENTS = sorted(
    p
    for parts in FOLDERS
    if SHARED.joinpath(*parts).exists()
    for p in SHARED.joinpath(*parts).rglob("*.json")
    if not p.name.startswith("bom")
)


def test_the_vex_documents_are_there() -> None:
    for parts in FOLDERS:
        shared(*parts)
    assert len(DOCUMENTS) >= 40


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_vex_document_reads(path: Path) -> None:
    statements = parse_vex(path.read_bytes(), path.name)
    assert statements
    assert all(s.vulnerability and isinstance(s.status, VexStatus) for s in statements)


def test_openvex_products_are_purls() -> None:
    path = shared("sboms", "cve-bin-tool-testdata", "test", "vex", "test_openvex_vex.json")
    statements = parse_vex(path.read_bytes(), path.name)
    assert {p.split("@")[0] for s in statements for p in s.products} >= {"pkg:generic/vendor0/product0"}


def test_a_cyclonedx_vex_joins_its_bom_through_the_serial_urn() -> None:
    """VEX/vex.json names jackson-databind of VEX/bom.json as urn:cdx:<serial>/1#<bom-ref>."""
    folder = shared("sboms", "cyclonedx-examples", "VEX")
    release = parse_sbom((folder / "bom.json").read_bytes(), "bom.json")
    statements = parse_vex((folder / "vex.json").read_bytes(), "vex.json")
    (statement,) = statements
    record = {
        "id": "GHSA-test",
        "aliases": [statement.vulnerability],
        "modified": "2022-01-01T00:00:00Z",
        "affected": [
            {
                "package": {"ecosystem": "Maven", "name": "com.fasterxml.jackson.core:jackson-databind"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}],
            }
        ],
    }
    findings = match(release, parse_advisories(json.dumps(record).encode(), "synthetic.json"))
    jackson = [f for f in apply_vex(findings, statements) if "jackson-databind@2.10.0" in f.component.purl]
    assert [f.status for f in jackson] == [VexStatus.NOT_AFFECTED]
