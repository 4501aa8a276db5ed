"""VEX in (CycloneDX, CSAF, OpenVEX, SPDX 3) and out (CycloneDX, CSAF, OpenVEX), joined on purls."""

from __future__ import annotations

import json
from typing import Any

import pytest

from opencsms.engine.advisories import parse_advisories
from opencsms.engine.errors import ParseError
from opencsms.engine.matching import Finding, match
from opencsms.engine.sbom import VexStatus, parse_sbom
from opencsms.engine.vex import apply_vex, csaf_vex, cyclonedx_vex, openvex, parse_vex
from tests.engine.matching.builders import osv, sbom, semver
from tests.golden_files import compare_golden
from tests.paths import GOLDEN

PURL = "pkg:golang/github.com/acme/lib@v1.1.0"


def _findings() -> list[Finding]:
    advisory = osv(
        "GO-9",
        {"ecosystem": "Go", "name": "github.com/acme/lib"},
        ranges=[semver(("introduced", "0"), ("fixed", "1.2.0"))],
        aliases=["CVE-2099-9"],
    )
    return match(sbom(PURL, "pkg:golang/github.com/acme/other@v0.1.0"), [advisory])


def _openvex(status: str, product: str, vulnerability: str = "CVE-2099-9") -> bytes:
    return json.dumps(
        {
            "@context": "https://openvex.dev/ns/v0.2.0",
            "@id": "urn:x",
            "statements": [
                {
                    "vulnerability": {"name": vulnerability},
                    "products": [{"@id": product}],
                    "status": status,
                    "justification": "vulnerable_code_not_in_execute_path",
                }
            ],
        }
    ).encode()


@pytest.mark.parametrize(
    ("product", "applies"),
    [
        (PURL, True),
        ("pkg:golang/github.com/acme/lib", True),
        ("pkg:golang/github.com/acme/lib@v1.1.0?type=module", True),
        ("pkg:golang/github.com/acme/lib@v1.0.0", False),
        ("pkg:golang/github.com/acme/other", False),
    ],
)
def test_openvex_joins_on_purl(product: str, applies: bool) -> None:
    (finding,) = apply_vex(_findings(), parse_vex(_openvex("not_affected", product), "o.json"))
    assert (finding.status is VexStatus.NOT_AFFECTED) is applies
    assert finding.open is not applies


def test_statements_name_the_vulnerability_by_any_alias() -> None:
    (finding,) = apply_vex(_findings(), parse_vex(_openvex("fixed", PURL, "GO-9"), "o.json"))
    assert finding.status is VexStatus.FIXED


def test_cyclonedx_vex_by_bom_ref_and_later_statement_wins() -> None:
    vex = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "vulnerabilities": [
            {"id": "CVE-2099-9", "analysis": {"state": "in_triage"}, "affects": [{"ref": PURL}]},
            {
                "id": "CVE-2099-9",
                "analysis": {"state": "false_positive", "detail": "not linked"},
                "affects": [{"ref": f"urn:cdx:abc/1#{PURL}"}],
            },
        ],
    }
    (finding,) = apply_vex(_findings(), parse_vex(json.dumps(vex).encode(), "v.json"))
    assert finding.status is VexStatus.NOT_AFFECTED
    assert finding.vex is not None
    assert finding.vex.detail == "not linked"


def test_csaf_vex_profile() -> None:
    document = {
        "document": {"category": "csaf_vex", "csaf_version": "2.0", "tracking": {"id": "VEX-1"}},
        "product_tree": {
            "full_product_names": [
                {"product_id": "P", "name": "lib", "product_identification_helper": {"purl": PURL}}
            ]
        },
        "vulnerabilities": [
            {
                "cve": "CVE-2099-9",
                "product_status": {"known_not_affected": ["P"]},
                "flags": [{"label": "inline_mitigations_already_exist", "product_ids": ["P"]}],
                "threats": [{"category": "impact", "details": "sandboxed", "product_ids": ["P"]}],
            }
        ],
    }
    (finding,) = apply_vex(_findings(), parse_vex(json.dumps(document).encode(), "c.json"))
    assert finding.vex is not None
    assert (finding.status, finding.vex.justification, finding.vex.detail) == (
        VexStatus.NOT_AFFECTED,
        "inline_mitigations_already_exist",
        "sandboxed",
    )


def test_spdx3_vex_relationships() -> None:
    graph: list[dict[str, Any]] = [
        {"type": "SpdxDocument", "spdxId": "urn:doc", "name": "fw"},
        {
            "type": "software_Package",
            "spdxId": "urn:pkg",
            "name": "lib",
            "software_packageVersion": "v1.1.0",
            "software_packageUrl": PURL,
        },
        {
            "type": "security_Vulnerability",
            "spdxId": "urn:vuln",
            "externalIdentifier": [{"externalIdentifierType": "cve", "identifier": "CVE-2099-9"}],
        },
        {
            "type": "security_VexFixedVulnAssessmentRelationship",
            "spdxId": "urn:rel",
            "from": "urn:vuln",
            "to": ["urn:pkg"],
            "relationshipType": "fixedIn",
        },
    ]
    document = json.dumps(
        {"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": graph}
    ).encode()
    release = parse_sbom(document, "fw.spdx3.json")
    assert [(c.ref, c.purl) for c in release.components] == [("urn:pkg", PURL)]
    findings = match(
        release,
        [
            osv(
                "GO-9",
                {"ecosystem": "Go", "name": "github.com/acme/lib"},
                ranges=[semver(("introduced", "0"))],
                aliases=["CVE-2099-9"],
            )
        ],
    )
    (finding,) = apply_vex(findings, release.vex)
    assert finding.status is VexStatus.FIXED


def test_exports_keep_purls_and_round_trip(update_golden: bool) -> None:
    findings = apply_vex(_findings(), parse_vex(_openvex("not_affected", PURL), "o.json"))
    documents = {
        "openvex": openvex(
            findings, doc_id="urn:uuid:1", author="ACME PSIRT", timestamp="2099-01-01T00:00:00Z"
        ),
        "cyclonedx-vex": cyclonedx_vex(findings, serial="urn:uuid:1", timestamp="2099-01-01T00:00:00Z"),
        "csaf-vex": csaf_vex(
            findings, tracking_id="ACME-VEX-1", publisher="ACME PSIRT", timestamp="2099-01-01T00:00:00Z"
        ),
    }
    for name, document in documents.items():
        raw = (json.dumps(document, indent=2) + "\n").encode()
        compare_golden(GOLDEN / "vulns" / f"export-{name}.json", raw, update_golden)
        assert PURL in raw.decode()
        (again,) = apply_vex(_findings(), parse_vex(raw, name))  # a consumer joins them back on the purl
        assert again.status is VexStatus.NOT_AFFECTED, name


def test_unknown_documents_are_refused() -> None:
    with pytest.raises(ParseError) as refused:
        parse_vex(b'{"hello": 1}', "x.json")
    assert (refused.value.problems[0].rule, refused.value.problems[0].file) == ("not-vex", "x.json")


def test_the_sboms_own_subject_is_matched_and_can_carry_vex() -> None:
    firmware = "cpe:2.3:o:nio:aspen:3.2.0:*:*:*:*:*:*:*"
    bom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "metadata": {
            "component": {"bom-ref": "head-unit", "name": "aspen", "version": "3.2.0", "cpe": firmware}
        },
        "components": [{"bom-ref": "lib", "name": "lib", "version": "v1.1.0", "purl": PURL}],
        "vulnerabilities": [
            {
                "id": "CVE-2023-24256",
                "analysis": {"state": "not_affected", "justification": "requires_environment"},
                "affects": [{"ref": "head-unit"}],
            }
        ],
    }
    release = parse_sbom(json.dumps(bom).encode(), "head-unit.cdx.json")
    assert [c.ref for c in release.components] == ["head-unit", "lib"]
    nio = (GOLDEN / "vulns" / "inputs" / "nvd-2.0-CVE-2023-24256-nio.json").read_bytes()
    findings = apply_vex(match(release, parse_advisories(nio, "nio.json")), release.vex)
    assert [(f.id, f.component.ref, f.status) for f in findings] == [
        ("CVE-2023-24256", "head-unit", VexStatus.NOT_AFFECTED)
    ]
