"""CPE matching from NVD API 2.0 (OR/AND configurations, version bounds), CVE JSON 5 and CSAF 2.0."""

from __future__ import annotations

import json
from typing import Any

import pytest

from opencsms.engine.advisories import parse_advisories
from opencsms.engine.matching import MatchKind, match
from opencsms.engine.sbom import Component, Sbom
from opencsms.engine.sbom.identifiers import canonical_cpe
from tests.engine.matching.builders import sbom
from tests.paths import GOLDEN

INPUTS = GOLDEN / "vulns" / "inputs"


def _nvd(config: list[dict[str, Any]], identifier: str = "CVE-2099-0001") -> bytes:
    cve = {
        "id": identifier,
        "published": "",
        "lastModified": "",
        "descriptions": [],
        "metrics": {},
        "configurations": config,
    }
    return json.dumps({"format": "NVD_CVE", "vulnerabilities": [{"cve": cve}]}).encode()


def _firmware(version: str) -> Sbom:
    return sbom(cpes=(f"cpe:2.3:o:acme:ecu_firmware:{version}:*:*:*:*:*:*:*",))


BOUNDS = {
    "criteria": "cpe:2.3:o:acme:ecu_firmware:*:*:*:*:*:*:*:*",
    "vulnerable": True,
    "versionStartExcluding": "1.0",
    "versionEndIncluding": "2.4.1",
}


@pytest.mark.parametrize(
    ("version", "hit"), [("1.0", False), ("1.0.1", True), ("2.4.1", True), ("2.4.2", False)]
)
def test_nvd_version_bounds(version: str, hit: bool) -> None:
    advisories = parse_advisories(_nvd([{"nodes": [{"operator": "OR", "cpeMatch": [BOUNDS]}]}]), "nvd.json")
    findings = match(_firmware(version), advisories)
    assert bool(findings) is hit
    if hit:
        assert findings[0].evidence[0].kind is MatchKind.CPE
        assert "introduced_after 1.0, last_affected 2.4.1" in findings[0].evidence[0].detail


def test_nvd_and_configuration_records_the_platform_condition() -> None:
    advisories = parse_advisories((INPUTS / "nvd-2.0-CVE-2023-24256-nio.json").read_bytes(), "nio")
    head_unit = sbom(
        cpes=("cpe:2.3:o:nio:aspen:3.2.9:*:*:*:*:*:*:*", "cpe:2.3:o:nio:aspen:3.3.0:*:*:*:*:*:*:*")
    )
    (finding,) = match(head_unit, advisories)
    assert finding.component.version == "3.2.9"
    assert finding.evidence[0].condition == "running on cpe:2.3:h:nio:ec6:-:*:*:*:*:*:*:*"
    assert (finding.score, finding.severity) == (7.8, "HIGH")


def test_nvd_exact_version_criteria() -> None:
    advisories = parse_advisories((INPUTS / "nvd-2.0-CVE-2024-3094.json").read_bytes(), "xz")
    xz = sbom(cpes=("cpe:2.3:a:tukaani:xz:5.6.1:*:*:*:*:*:*:*", "cpe:2.3:a:tukaani:xz:5.4.6:*:*:*:*:*:*:*"))
    assert [(f.id, f.component.version, f.severity) for f in match(xz, advisories)] == [
        ("CVE-2024-3094", "5.6.1", "CRITICAL")
    ]


def test_cpe_qualifiers_must_agree_when_both_name_them() -> None:
    pattern = dict(BOUNDS, criteria="cpe:2.3:o:acme:ecu_firmware:*:*:*:*:*:*:arm64:*")
    advisories = parse_advisories(_nvd([{"nodes": [{"operator": "OR", "cpeMatch": [pattern]}]}]), "nvd.json")
    x86 = sbom(cpes=("cpe:2.3:o:acme:ecu_firmware:2.0:*:*:*:*:*:x86:*",))
    assert match(x86, advisories) == []
    assert match(_firmware("2.0"), advisories)  # the component does not say: it may be arm64


def test_cpe_22_uris_are_converted() -> None:
    assert canonical_cpe("cpe:/a:busybox:busybox:1.36.1") == "cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*"
    assert canonical_cpe("not a cpe") == ""


def test_cve5_free_text_constraints_and_less_than() -> None:
    (advisory,) = parse_advisories((INPUTS / "cve5-CVE-2023-45803.json").read_bytes(), "cve5")
    component = Component("u", "urllib3", "2.0.6", cpe="cpe:2.3:a:urllib3:urllib3:2.0.6:*:*:*:*:*:*:*")
    assert match(Sbom("t", "r", "1", (component,)), [advisory])
    fixed = Component("u", "urllib3", "2.0.7", cpe="cpe:2.3:a:urllib3:urllib3:2.0.7:*:*:*:*:*:*:*")
    assert match(Sbom("t", "r", "1", (fixed,)), [advisory]) == []


def test_cve5_registry_packages_and_rejected_records() -> None:
    record = {
        "dataType": "CVE_RECORD",
        "cveMetadata": {"cveId": "CVE-2099-2", "state": "REJECTED", "dateUpdated": "2099-01-01"},
        "containers": {
            "cna": {
                "affected": [
                    {
                        "collectionURL": "https://pkg.go.dev",
                        "packageName": "golang.org/x/net",
                        "versions": [{"version": "0", "lessThan": "0.17.0", "status": "affected"}],
                    }
                ]
            }
        },
    }
    (advisory,) = parse_advisories(json.dumps(record).encode(), "cve5.json")
    assert advisory.withdrawn == "2099-01-01"
    assert advisory.affected[0].key == ("golang", "", "golang.org/x/net")


CSAF = {
    "document": {
        "category": "csaf_security_advisory",
        "csaf_version": "2.0",
        "title": "t",
        "tracking": {"id": "ACME-2099-1"},
    },
    "product_tree": {
        "branches": [
            {
                "category": "vendor",
                "name": "ACME",
                "branches": [
                    {
                        "category": "product_name",
                        "name": "telematics",
                        "branches": [
                            {
                                "category": "product_version",
                                "name": "4.1.0",
                                "product": {
                                    "product_id": "P1",
                                    "name": "ACME telematics 4.1.0",
                                    "product_identification_helper": {
                                        "purl": "pkg:generic/acme/telematics@4.1.0"
                                    },
                                },
                            },
                            {
                                "category": "product_version",
                                "name": "4.2.0",
                                "product": {
                                    "product_id": "P2",
                                    "name": "ACME telematics 4.2.0",
                                    "product_identification_helper": {
                                        "purl": "pkg:generic/acme/telematics@4.2.0"
                                    },
                                },
                            },
                        ],
                    }
                ],
            }
        ]
    },
    "vulnerabilities": [
        {
            "cve": "CVE-2099-3",
            "product_status": {"known_affected": ["P1"], "fixed": ["P2"]},
            "remediations": [{"category": "vendor_fix", "details": "update to 4.2.0", "product_ids": ["P1"]}],
            "scores": [
                {
                    "products": ["P1"],
                    "cvss_v3": {
                        "vectorString": "CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N",
                        "baseScore": 8.1,
                    },
                }
            ],
        }
    ],
}


def test_csaf_product_tree_to_purls_with_remediations() -> None:
    (advisory,) = parse_advisories(json.dumps(CSAF).encode(), "csaf.json")
    assert (advisory.aliases, advisory.document, advisory.origin) == ((), "ACME-2099-1", "CSAF ACME-2099-1")
    releases = sbom("pkg:generic/acme/telematics@4.1.0", "pkg:generic/acme/telematics@4.2.0")
    (finding,) = match(releases, [advisory])
    assert finding.component.version == "4.1.0"
    assert finding.remediations == ("vendor_fix: update to 4.2.0",)
    assert finding.severity == "HIGH"


def test_two_cves_of_one_csaf_document_stay_two_findings() -> None:
    document = json.loads(json.dumps(CSAF))
    second = json.loads(json.dumps(document["vulnerabilities"][0]))
    second["cve"] = "CVE-2099-4"
    document["vulnerabilities"].append(second)
    advisories = parse_advisories(json.dumps(document).encode(), "csaf.json")
    findings = match(sbom("pkg:generic/acme/telematics@4.1.0"), advisories)
    assert [f.id for f in findings] == ["CVE-2099-3", "CVE-2099-4"]
    assert findings[0].evidence[0].source == "CSAF ACME-2099-1"


def test_csaf_products_known_only_by_name_meet_components_known_only_by_name() -> None:
    document = json.loads(json.dumps(CSAF))
    branch = document["product_tree"]["branches"][0]["branches"][0]["branches"][0]
    branch["name"] = "V4.1.0"
    del branch["product"]["product_identification_helper"]
    (advisory,) = parse_advisories(json.dumps(document).encode(), "csaf.json")
    ecu = Component("tcu", "Telematics", "4.1.0", supplier="ACME")
    other = Component("tcu2", "Telematics", "4.1.0", supplier="Someone Else")
    (finding,) = match(Sbom("t", "r", "1", (ecu, other)), [advisory])
    assert finding.component.ref == "tcu"
    assert finding.evidence[0].kind is MatchKind.NAME
