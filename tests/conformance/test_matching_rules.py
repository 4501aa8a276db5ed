"""Matching that follows each format's rules, on real documents (issue 12, item 1).

- Go: golang/vulndb OSV records and a real syft SPDX SBOM name `github.com/Azure/...` with capitals;
- CSAF: CISA's advisories write product_version_range as `>= A | <= B`, `> A < B`, `> A and < B`,
  "All versions < X", and `vers:all/*` in product_version;
- CPE: NVD's CVE-2024-3094 (tukaani xz) against the wildcard-vendor CPE Yocto writes;
- SPDX: syft lists several CPEs per package; the referenceType may be written as its URI;
- severity: a Go record without CVSS takes its best-scored alias's.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from opencsms.engine.advisories import parse_advisories
from opencsms.engine.matching import AdvisoryIndex, match
from opencsms.engine.sbom import Component, Sbom, parse_sbom
from opencsms.engine.sbom.identifiers import canonical_cpe
from tests.conformance.shared import shared

AZIDENTITY = "github.com/Azure/azure-sdk-for-go/sdk/azidentity"
REFLECTOR = (
    "sboms",
    "bom-shelter",
    "in-the-wild",
    "spdx",
    "image-reflector-controller_0.16.0_sbom.spdx.json",
)
CISA = ("advisories", "csaf-cisa", "csaf_files", "OT", "white")


def _osv_go(name: str) -> bytes:
    return shared("advisories", "osv-go", name).read_bytes()


def _cisa(name: str) -> list[Any]:
    path = shared(*CISA, name)
    return parse_advisories(path.read_bytes(), str(path))


def _device(vendor: str, product: str, version: str) -> Sbom:
    """A component known by supplier and name only, as CSAF product trees without identifiers name it."""
    component = Component(f"{product}@{version}", product, version, supplier=vendor)
    return Sbom("test", "plant", "1", (component,))


# 1. Go module paths with capitals


def test_capitalised_go_module_of_a_real_sbom_meets_its_vulndb_record() -> None:
    sbom = parse_sbom(shared(*REFLECTOR).read_bytes(), "reflector.spdx.json")
    advisories = parse_advisories(_osv_go("GO-2024-2918.json"), "GO-2024-2918.json")
    assert advisories[0].affected[0].name == AZIDENTITY
    found = [f for f in match(sbom, advisories) if f.component.name == AZIDENTITY]
    assert [(f.id, f.component.version) for f in found] == [("CVE-2024-35255", "v0.12.0")]
    assert "GO-2024-2918" in found[0].aliases


def test_every_vulndb_module_path_is_kept_as_written() -> None:
    folder = shared("advisories", "osv-go")
    capitalised = 0
    for path in sorted(folder.glob("*.json")):
        record = json.loads(path.read_bytes())
        names = [str(a["package"]["name"]) for a in record.get("affected") or () if "package" in a]
        (advisory,) = parse_advisories(path.read_bytes(), path.name)
        assert [a.name for a in advisory.affected] == names, path.name
        capitalised += any(n != n.lower() for n in names)
    assert capitalised >= 100  # Azure, BurntSushi, GoogleCloudPlatform, ...


# 2. CSAF product_version_range


def test_cisa_range_with_both_bounds_written_with_a_bar() -> None:
    advisories = _cisa("2018/icsa-18-011-03.json")  # '>= 1.0 | <= 1.32'
    vendor, product = "PHOENIX CONTACT, Innominate Security Technologies", "FL SWITCH 3006T-2FX SM"
    assert {f.id for f in match(_device(vendor, product, "1.32"), advisories)} >= {"CVE-2017-16743"}
    assert match(_device(vendor, product, "1.33"), advisories) == []
    assert match(_device(vendor, product, "0.9"), advisories) == []


def test_cisa_range_with_both_bounds_and_no_separator() -> None:
    advisories = _cisa("2021/icsa-21-159-13.json")  # '> V3.0 < V4.0', '> V1.1 and < V1.3.2'
    assert match(_device("Siemens", "SIMATIC Reader RF610R CMIIT", "V3.1"), advisories)
    assert match(_device("Siemens", "SIMATIC Reader RF610R CMIIT", "V3.0"), advisories) == []
    assert match(_device("Siemens", "SIMATIC Reader RF610R CMIIT", "V4.0"), advisories) == []
    assert match(_device("Siemens", "SIMATIC RF166C", "V1.2"), advisories)
    assert match(_device("Siemens", "SIMATIC RF166C", "V1.3.2"), advisories) == []


def test_cisa_vers_all_star_in_product_version_matches_every_version() -> None:
    advisories = _cisa("2017/icsa-17-031-01a.json")
    for version in ("1.0", "7.12"):
        found = match(_device("BINOM3", "BINOM3 power meters", version), advisories)
        assert {f.id for f in found} >= {"CVE-2017-5162", "CVE-2017-5164"}


def test_cisa_all_versions_below_and_a_named_problem_for_prose() -> None:
    advisories = _cisa("2017/icsa-17-129-01.json")
    assert match(_device("Siemens", "SMART PC Access", "V2.2"), advisories)
    assert match(_device("Siemens", "SMART PC Access", "V2.3"), advisories) == []
    assert match(_device("Siemens", "SIMATIC WinCC V7.2 and prior", "7.0"), advisories)  # 'All versions'
    (problem,) = {p for a in advisories for p in a.problems}
    assert problem.startswith(
        "product CSAFPID-00016: 'All versions installed in conjunction with SIMATIC WinCC"
    )
    assert match(_device("Siemens", "SINAUT ST7CC", "1.0"), advisories) == []  # not widened


def test_every_cisa_advisory_reads_its_ranges_or_names_the_problem() -> None:
    files = [p for p in shared(*CISA).rglob("*.json") if "-feed-" not in p.name]
    problems: list[str] = []
    read = 0
    for path in files:
        for advisory in parse_advisories(path.read_bytes(), str(path)):
            problems.extend(advisory.problems)
            read += len(advisory.affected)
    assert "'No version' is neither a vers range nor a list of version constraints" in "\n".join(problems)
    assert all(p.startswith("product ") and p.endswith("; it is not matched") for p in problems)
    assert read > 13_000
    assert len(problems) < read * 0.05  # prose ('NMC2 <= 6.9.6', 'All BIOS versions < V25.02.10') only


# 3. CPE name matching with ANY and NA


def _xz() -> list[Any]:
    path = shared(
        "advisories", "nvd-cve5-samples", "vulnfeeds", "test_data", "nvdcve-2.0", "CVE-2024-3094.json"
    )
    return parse_advisories(path.read_bytes(), path.name)


def test_yocto_wildcard_vendor_cpe_meets_nvd_configuration_naming_the_vendor() -> None:
    yocto = Component("xz", "xz", "5.6.0", cpe=canonical_cpe("cpe:2.3:*:*:xz:5.6.0:*:*:*:*:*:*:*"))
    (finding,) = match(Sbom("yocto", "image", "1", (yocto,)), _xz())
    assert finding.id == "CVE-2024-3094"
    assert finding.severity == "CRITICAL"
    fixed = Component("xz", "xz", "5.4.6", cpe=canonical_cpe("cpe:2.3:*:*:xz:5.4.6:*:*:*:*:*:*:*"))
    assert match(Sbom("yocto", "image", "1", (fixed,)), _xz()) == []


def test_version_from_the_component_when_the_cpe_has_none() -> None:
    yocto = Component("xz", "xz", "5.6.1", cpe="cpe:2.3:*:*:xz:*:*:*:*:*:*:*:*")
    assert [f.id for f in match(Sbom("yocto", "image", "1", (yocto,)), _xz())] == ["CVE-2024-3094"]


def test_na_vendor_does_not_meet_a_named_vendor() -> None:
    na = Component("xz", "xz", "5.6.0", cpe="cpe:2.3:a:-:xz:5.6.0:*:*:*:*:*:*:*")
    assert match(Sbom("x", "image", "1", (na,)), _xz()) == []


# 4. SPDX: every CPE, reference types written as URIs


def _reflector() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(shared(*REFLECTOR).read_bytes())
    return data


def _cpe_refs(package: dict[str, Any]) -> list[str]:
    return [r["referenceLocator"] for r in package.get("externalRefs") or () if "cpe" in r["referenceType"]]


def test_every_cpe_of_a_real_spdx_package_is_kept() -> None:
    data = _reflector()
    sbom = parse_sbom(json.dumps(data).encode(), "reflector.spdx.json")
    by_ref = {c.ref: c for c in sbom.components}
    several = [p for p in data["packages"] if len(_cpe_refs(p)) > 1]
    assert len(several) >= 30
    for package in several:
        expected = tuple(dict.fromkeys(canonical_cpe(c) for c in _cpe_refs(package)))
        assert by_ref[package["SPDXID"]].cpes == expected


def test_reference_types_written_as_uris_are_read(tmp_path: Path) -> None:
    data = _reflector()
    for package in data["packages"]:
        for ref in package.get("externalRefs") or ():
            ref["referenceType"] = f"http://spdx.org/rdf/references/{ref['referenceType']}"
    as_uris = parse_sbom(json.dumps(data).encode(), "uris.spdx.json")
    plain = parse_sbom(shared(*REFLECTOR).read_bytes(), "reflector.spdx.json")
    assert [(c.purl, c.cpes) for c in as_uris.components] == [(c.purl, c.cpes) for c in plain.components]
    assert sum(bool(c.cpes) for c in as_uris.components) >= 30


def test_a_second_cpe_alone_is_enough_to_match() -> None:
    sbom = parse_sbom(shared(*REFLECTOR).read_bytes(), "reflector.spdx.json")
    cve = {
        "id": "CVE-2099-0010",
        "configurations": [
            {
                "nodes": [
                    {
                        "operator": "OR",
                        "cpeMatch": [
                            {
                                "criteria": "cpe:2.3:a:azure:azure_sdk_for_go:*:*:*:*:*:*:*:*",
                                "vulnerable": True,
                                "versionEndExcluding": "v1.0.0",
                            }
                        ],
                    }
                ]
            }
        ],
    }
    advisories = parse_advisories(
        json.dumps({"format": "NVD_CVE", "vulnerabilities": [{"cve": cve}]}).encode()
    )
    found = [f for f in match(sbom, advisories) if f.component.name == AZIDENTITY]
    assert [f.evidence[0].identifier for f in found] == [
        "cpe:2.3:a:azure:azure_sdk_for_go:v0.12.0:*:*:*:*:*:*:*"
    ]


# 5. Severity from the best-scored alias


def test_go_record_without_cvss_takes_its_ghsa_score_and_names_it() -> None:
    go = parse_advisories(_osv_go("GO-2024-2918.json"), "GO-2024-2918.json")
    assert go[0].severities == ()
    ghsa = {  # the GHSA record of the same vulnerability, as the GitHub advisory database publishes it
        "id": "GHSA-m5vv-6r4h-3vj9",
        "modified": "2024-06-11T00:00:00Z",
        "aliases": ["CVE-2024-35255"],
        "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:N/A:N"}],
        "affected": [{"package": {"ecosystem": "Go", "name": AZIDENTITY}}],
    }
    index = AdvisoryIndex(go)
    index.lend_scores(parse_advisories(json.dumps(ghsa).encode(), "ghsa.json"))
    sbom = parse_sbom(shared(*REFLECTOR).read_bytes(), "reflector.spdx.json")
    (finding,) = [f for f in match(sbom, index) if f.component.name == AZIDENTITY]
    assert (finding.severity, finding.score) == ("MEDIUM", 5.3)
    assert finding.severity_source == "CVSS 5.3 from GHSA-m5vv-6r4h-3vj9"
