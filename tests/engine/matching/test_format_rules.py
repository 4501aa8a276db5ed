"""Matching that follows each format's rules (issue 12, item 1): Go module path case, CSAF version ranges
(vers / vls), CPE 2.3 name matching with ANY and NA, every CPE of a component, the best-scored alias."""

from __future__ import annotations

import json
from typing import Any

import pytest

from opencsms.engine.advisories import Advisory, parse_advisories
from opencsms.engine.advisories.store import advisory_from_dict
from opencsms.engine.advisories.vers import parse_range
from opencsms.engine.matching import AdvisoryIndex, PortfolioIndex, match
from opencsms.engine.matching.compare import attribute_disjoint
from opencsms.engine.sbom import Component, Sbom
from opencsms.engine.sbom.identifiers import purl_parts
from tests.engine.matching.builders import osv, sbom, semver

TOML = {"ecosystem": "Go", "name": "github.com/BurntSushi/toml"}
BEFORE_1_3 = semver(("introduced", "0"), ("fixed", "1.3.0"))


# 1. Go module paths keep their case (go.dev/ref/mod: module paths are case-sensitive)


@pytest.mark.parametrize(
    "purl",
    [
        "pkg:golang/github.com/BurntSushi/toml@v1.2.0",
        "pkg:golang/github.com/!burnt!sushi/toml@v1.2.0",  # the module proxy's escaped spelling
        "pkg:golang/github.com%2FBurntSushi%2Ftoml@v1.2.0",  # the whole path as the purl name
    ],
)
def test_go_module_path_with_capitals_matches(purl: str) -> None:
    assert purl_parts(purl)[:3] == ("golang", "", "github.com/BurntSushi/toml")
    (finding,) = match(sbom(purl), [osv("GO-2099-0001", TOML, ranges=[BEFORE_1_3])])
    assert finding.component.purl.startswith("pkg:golang/")


def test_go_module_paths_differing_in_case_are_different_modules() -> None:
    advisory = osv("GO-2099-0002", TOML, ranges=[BEFORE_1_3])
    assert match(sbom("pkg:golang/github.com/burntsushi/toml@v1.2.0"), [advisory]) == []
    lower = osv(
        "GO-2099-0003", {"ecosystem": "Go", "name": "github.com/sirupsen/logrus"}, ranges=[BEFORE_1_3]
    )
    assert match(sbom("pkg:golang/github.com/Sirupsen/logrus@v1.0.0"), [lower]) == []
    assert match(sbom("pkg:golang/github.com/sirupsen/logrus@v1.0.0"), [lower])


def test_cve5_go_package_keeps_its_case() -> None:
    record = {
        "dataType": "CVE_RECORD",
        "cveMetadata": {"cveId": "CVE-2099-0004", "state": "PUBLISHED"},
        "containers": {
            "cna": {
                "affected": [
                    {
                        "collectionURL": "https://pkg.go.dev",
                        "packageName": "github.com/Azure/azure-sdk-for-go/sdk/azidentity",
                        "versions": [{"version": "0", "lessThan": "1.6.0", "status": "affected"}],
                    }
                ]
            }
        },
    }
    advisories = parse_advisories(json.dumps(record).encode(), "cve.json")
    (finding,) = match(sbom("pkg:golang/github.com/Azure/azure-sdk-for-go/sdk/azidentity@v1.1.0"), advisories)
    assert finding.id == "CVE-2099-0004"


# 2. CSAF product_version_range: vers and vls


@pytest.mark.parametrize(
    ("text", "inside", "outside"),
    [
        (">=1.0|<2.0", ["1.0", "1.9.9"], ["0.9", "2.0"]),
        ("vers:all/>=1.0|<2.0", ["1.0", "1.5"], ["0.9", "2.0", "2.1"]),
        (">=1.0<2.0", ["1.0", "1.5"], ["0.9", "2.0"]),
        (">= 1.0 | <= 1.32", ["1.0", "1.32"], ["0.9", "1.33"]),
        ("> V3.0 < V4.0", ["3.1", "3.9"], ["3.0", "4.0"]),
        ("> V1.1 and < V1.3.2", ["1.2"], ["1.1", "1.3.2"]),
        ("1.2.3", ["1.2.3"], ["1.2.4", "1.2.2"]),
        ("1.0 | 1.1", ["1.0", "1.1"], ["1.2", "0.9"]),
        ("vers:generic/1.2.3|>=2.0.0|<3.0.0", ["1.2.3", "2.5"], ["1.2.4", "3.0.0"]),
        ("vers:all/*", ["0.1", "99"], []),
        ("All versions < V4.2 HF1", ["4.1", "V4.2"], ["V4.2 HF2", "4.3"]),
    ],
)
def test_csaf_ranges_keep_every_bound(text: str, inside: list[str], outside: list[str]) -> None:
    advisories = parse_advisories(_csaf(product_version_range=text), "csaf.json")
    assert advisories[0].problems == ()
    for version in inside:
        assert match(_firmware(version), advisories), f"{version} should be inside {text!r}"
    for version in outside:
        assert match(_firmware(version), advisories) == [], f"{version} should be outside {text!r}"


def test_vers_all_star_in_product_version_matches_every_version() -> None:
    advisories = parse_advisories(_csaf(product_version="vers:all/*"), "csaf.json")
    assert match(_firmware("0.1"), advisories)
    assert match(_firmware("12.4"), advisories)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2.9 and later", "neither a vers range nor a list of version constraints"),
        ("!=1.0", "an excluded version"),
        (">=1.0|>=2.0", "two lower bounds in a row"),
        ("vers:all/", "not a vers range"),
    ],
)
def test_unreadable_range_is_a_named_problem_never_every_version(text: str, reason: str) -> None:
    (advisory,) = parse_advisories(_csaf(product_version_range=text), "csaf.json")
    assert advisory.affected == ()
    (problem,) = advisory.problems
    assert problem.startswith(f"product ECU-1: {text!r}")
    assert reason in problem
    assert match(_firmware("1.0"), [advisory]) == []
    assert advisory_from_dict(json.loads(json.dumps(_asdict(advisory)))).problems == advisory.problems


def test_vers_spec_intervals() -> None:
    spec = parse_range("vers:npm/<1.0.0|>=2.0.0|<2.5.0|=3.0.0|>=4.0.0")
    assert [[(e.kind, e.version) for e in i] for i in spec.intervals] == [
        [("introduced", "0"), ("fixed", "1.0.0")],
        [("introduced", "2.0.0"), ("fixed", "2.5.0")],
        [("introduced", "4.0.0")],
    ]
    assert spec.versions == ("3.0.0",)


# 3. CPE 2.3 name matching with ANY and NA (NISTIR 7696, Table 6-2)


@pytest.mark.parametrize(
    ("source", "target", "disjoint"),
    [
        ("*", "tukaani", False),  # SUPERSET
        ("tukaani", "*", False),  # SUBSET
        ("-", "-", False),  # EQUAL
        ("-", "tukaani", True),
        ("tukaani", "-", True),
        ("*", "-", False),
        ("tukaani", "tukaani", False),
        ("tukaani", "other", True),
        ("xz*", "xz_utils", False),  # a wildcard in the source value
        ("x?", "xz", False),
        ("x?", "xzz", True),
    ],
)
def test_cpe_attribute_comparison(source: str, target: str, disjoint: bool) -> None:
    assert attribute_disjoint(source, target) is disjoint


def _nvd(criteria: str, **bounds: str) -> list[Advisory]:
    match_entry = {"criteria": criteria, "vulnerable": True, **bounds}
    cve = {
        "id": "CVE-2099-0005",
        "configurations": [{"nodes": [{"operator": "OR", "cpeMatch": [match_entry]}]}],
    }
    return parse_advisories(json.dumps({"format": "NVD_CVE", "vulnerabilities": [{"cve": cve}]}).encode())


def test_wildcard_vendor_component_matches_a_named_vendor_in_both_indexes() -> None:
    advisories = _nvd("cpe:2.3:a:tukaani:xz:5.6.0:*:*:*:*:*:*:*")
    yocto = sbom(cpes=("cpe:2.3:*:*:xz:5.6.0:*:*:*:*:*:*:*",))
    (finding,) = match(yocto, advisories)
    assert finding.evidence[0].identifier == "cpe:2.3:*:*:xz:5.6.0:*:*:*:*:*:*:*"
    portfolio = PortfolioIndex()
    portfolio.add_release("r1", yocto)
    assert [f.id for f in portfolio.match_advisory(advisories[0])] == ["CVE-2099-0005"]


def test_na_against_a_value_does_not_match() -> None:
    advisories = _nvd("cpe:2.3:a:acme:gateway:*:*:*:*:*:linux:*:*", versionEndExcluding="2.0")
    assert match(sbom(cpes=("cpe:2.3:a:acme:gateway:1.0:*:*:*:*:-:*:*",)), advisories) == []
    assert match(sbom(cpes=("cpe:2.3:a:acme:gateway:1.0:*:*:*:*:linux:*:*",)), advisories)
    assert match(sbom(cpes=("cpe:2.3:a:-:gateway:1.0:*:*:*:*:*:*:*",)), advisories) == []


def test_cpe_version_any_or_na_takes_the_component_version() -> None:
    advisories = _nvd("cpe:2.3:a:acme:gateway:*:*:*:*:*:*:*:*", versionEndExcluding="2.0")
    for version in ("*", "-"):
        cpe = f"cpe:2.3:a:acme:gateway:{version}:*:*:*:*:*:*:*"
        component = Component("gw", "gateway", "1.5", cpe=cpe)
        assert match(Sbom("test", "r", "1", (component,)), advisories)
        later = Component("gw", "gateway", "2.1", cpe=cpe)
        assert match(Sbom("test", "r", "1", (later,)), advisories) == []


def test_every_cpe_of_a_component_is_matched() -> None:
    advisories = _nvd("cpe:2.3:a:openbsd:openssh:*:*:*:*:*:*:*:*", versionEndExcluding="9.8")
    component = Component(
        "ssh",
        "openssh",
        "9.6",
        cpe="cpe:2.3:a:openssh:openssh:9.6:*:*:*:*:*:*:*",
        other_cpes=("cpe:2.3:a:openbsd:openssh:9.6:*:*:*:*:*:*:*",),
    )
    (finding,) = match(Sbom("test", "r", "1", (component,)), advisories)
    assert finding.evidence[0].identifier == "cpe:2.3:a:openbsd:openssh:9.6:*:*:*:*:*:*:*"


# 5. Severity from the best-scored alias, named


def test_unscored_record_takes_the_best_scored_alias_and_names_it() -> None:
    go = osv("GO-2099-0006", TOML, ranges=[BEFORE_1_3], aliases=["CVE-2099-0006", "GHSA-aaaa-bbbb-cccc"])
    ghsa = osv(
        "GHSA-aaaa-bbbb-cccc",
        {"ecosystem": "Go", "name": "github.com/other/module"},
        aliases=["CVE-2099-0006"],
        severity=[{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"}],
    )
    lower = osv(
        "CVE-2099-0006",
        {"ecosystem": "Go", "name": "github.com/other/module"},
        severity=[{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:L"}],
    )
    index = AdvisoryIndex([go])
    index.lend_scores([ghsa, lower])
    (finding,) = match(sbom("pkg:golang/github.com/BurntSushi/toml@v1.2.0"), index)
    assert (finding.score, finding.severity, finding.severity_from) == (7.5, "HIGH", "GHSA-aaaa-bbbb-cccc")
    assert finding.severity_source == "CVSS 7.5 from GHSA-aaaa-bbbb-cccc"
    assert finding.vectors == ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",)


def test_a_scored_record_keeps_its_own_score() -> None:
    own = [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:L"}]
    go = osv("GO-2099-0007", TOML, ranges=[BEFORE_1_3], aliases=["GHSA-dddd"], severity=own)
    ghsa = osv(
        "GHSA-dddd",
        {"ecosystem": "Go", "name": "x"},
        severity=[{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
    )
    index = AdvisoryIndex([go])
    index.lend_scores([ghsa])
    (finding,) = match(sbom("pkg:golang/github.com/BurntSushi/toml@v1.2.0"), index)
    assert (finding.score, finding.severity_from, finding.severity_source) == (3.7, "", "")


def _firmware(version: str) -> Sbom:
    return sbom(cpes=(f"cpe:2.3:o:acme:ecu_firmware:{version}:*:*:*:*:*:*:*",))


def _asdict(advisory: Advisory) -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(advisory)


def _csaf(**version: str) -> bytes:
    category, value = next(iter(version.items()))
    product = {
        "category": category,
        "name": value,
        "product": {
            "name": "ECU firmware",
            "product_id": "ECU-1",
            "product_identification_helper": {"cpe": "cpe:2.3:o:acme:ecu_firmware:*:*:*:*:*:*:*:*"},
        },
    }
    tree = {"branches": [{"category": "vendor", "name": "ACME", "branches": [product]}]}
    document = {
        "document": {"csaf_version": "2.0", "tracking": {"id": "ACME-2099-1"}, "title": "t"},
        "product_tree": tree,
        "vulnerabilities": [{"cve": "CVE-2099-0008", "product_status": {"known_affected": ["ECU-1"]}}],
    }
    return json.dumps(document).encode()
