"""OSV semantics (ISO/SAE 21434 clause 8.5): events, version lists, withdrawn records, aliases, GIT ranges."""

from __future__ import annotations

import pytest

from opencsms.engine.matching import MatchKind, match
from opencsms.engine.sbom.model import VexStatus
from tests.engine.matching.builders import osv, sbom, semver

GO = {"ecosystem": "Go", "name": "github.com/acme/lib"}
TWO_WINDOWS = semver(("introduced", "1.0.0"), ("fixed", "1.2.0"), ("introduced", "2.0.0"), ("fixed", "2.1.3"))


@pytest.mark.parametrize(
    ("version", "affected"),
    [
        ("0.9.0", False),
        ("1.0.0", True),
        ("1.1.9", True),
        ("1.2.0", False),
        ("1.9.9", False),
        ("2.0.0", True),
        ("2.1.2", True),
        ("2.1.3", False),
        ("3.0.0", False),
    ],
)
def test_several_introduced_fixed_pairs(version: str, affected: bool) -> None:
    advisory = osv("GO-1", GO, ranges=[TWO_WINDOWS])
    findings = match(sbom(f"pkg:golang/github.com/acme/lib@v{version}"), [advisory])
    assert bool(findings) is affected
    if affected:
        assert findings[0].evidence[0].kind is MatchKind.RANGE
        assert "introduced 1.0.0, fixed 1.2.0" in findings[0].evidence[0].detail


def test_last_affected_is_inclusive_and_introduced_zero_is_open_below() -> None:
    advisory = osv("GO-2", GO, ranges=[semver(("introduced", "0"), ("last_affected", "1.4.0"))])
    hit = match(sbom("pkg:golang/github.com/acme/lib@v1.4.0"), [advisory])
    miss = match(sbom("pkg:golang/github.com/acme/lib@v1.4.1"), [advisory])
    assert [f.id for f in hit] == ["GO-2"]
    assert miss == []


def test_open_ended_range_affects_every_later_version() -> None:
    advisory = osv("GO-3", GO, ranges=[semver(("introduced", "1.5.0"))])
    assert match(sbom("pkg:golang/github.com/acme/lib@v99.0.0"), [advisory])
    assert not match(sbom("pkg:golang/github.com/acme/lib@v1.4.0"), [advisory])


def test_limit_caps_the_range() -> None:
    advisory = osv("GO-4", GO, ranges=[semver(("introduced", "1.0.0"), ("limit", "1.5.0"))])
    assert match(sbom("pkg:golang/github.com/acme/lib@v1.4.0"), [advisory])
    assert not match(sbom("pkg:golang/github.com/acme/lib@v1.6.0"), [advisory])


def test_unsorted_events_are_sorted_before_evaluation() -> None:
    advisory = osv("GO-5", GO, ranges=[semver(("fixed", "1.2.0"), ("introduced", "1.0.0"))])
    assert match(sbom("pkg:golang/github.com/acme/lib@v1.1.0"), [advisory])


def test_versions_list_matches_in_the_ecosystem_order() -> None:
    advisory = osv("PYSEC-1", {"ecosystem": "PyPI", "name": "Django_Thing"}, versions=["1.0", "1.1"])
    findings = match(sbom("pkg:pypi/django-thing@1.0.0"), [advisory])  # 1.0 == 1.0.0 in PEP 440
    assert findings
    assert findings[0].evidence[0].kind is MatchKind.VERSION_LIST


def test_ecosystem_ranges_use_the_ecosystem_order() -> None:
    debian = osv(
        "DSA-1",
        {"ecosystem": "Debian:12", "name": "openssl"},
        ranges=[semver(("introduced", "0"), ("fixed", "3.0.11-1~deb12u2"), kind="ECOSYSTEM")],
    )
    assert match(sbom("pkg:deb/debian/openssl@3.0.11-1~deb12u1"), [debian])
    assert not match(sbom("pkg:deb/debian/openssl@3.0.11-1"), [debian])  # ~ sorts before the end


def test_withdrawn_advisories_never_match() -> None:
    advisory = osv("GO-6", GO, ranges=[semver(("introduced", "0"))], withdrawn="2024-02-01T00:00:00Z")
    assert match(sbom("pkg:golang/github.com/acme/lib@v1.0.0"), [advisory]) == []


def test_aliases_merge_into_one_finding_with_both_evidences() -> None:
    go = osv("GO-7", GO, ranges=[semver(("introduced", "0"), ("fixed", "2.0.0"))], aliases=["CVE-2024-1"])
    ghsa = osv(
        "GHSA-aaaa",
        GO,
        ranges=[semver(("introduced", "1.0.0"), ("fixed", "2.0.0"))],
        aliases=["CVE-2024-1"],
        severity=[{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
    )
    (finding,) = match(sbom("pkg:golang/github.com/acme/lib@v1.5.0"), [go, ghsa])
    assert finding.id == "CVE-2024-1"
    assert finding.aliases == ("GHSA-aaaa", "GO-7")
    assert {e.advisory for e in finding.evidence} == {"GO-7", "GHSA-aaaa"}
    assert (finding.score, finding.severity) == (9.8, "CRITICAL")


def test_git_ranges_are_recorded_as_needing_evidence() -> None:
    advisory = osv(
        "OSV-GIT",
        {"ecosystem": "OSS-Fuzz", "name": "libfoo"},
        ranges=[
            {
                "type": "GIT",
                "repo": "https://git.example/libfoo",
                "events": [{"introduced": "abc123"}, {"fixed": "def456"}],
            }
        ],
    )
    (finding,) = match(sbom("pkg:generic/libfoo@1.2.3"), [advisory])
    assert finding.needs_evidence
    assert finding.status is VexStatus.UNDER_INVESTIGATION
    assert finding.evidence[0].kind is MatchKind.GIT_UNVERIFIED
    assert "commits cannot be compared" in finding.evidence[0].detail


def test_maven_and_npm_names() -> None:
    maven = osv(
        "GHSA-m",
        {"ecosystem": "Maven", "name": "org.apache.logging.log4j:log4j-core"},
        ranges=[semver(("introduced", "2.0-beta9"), ("fixed", "2.15.0"), kind="ECOSYSTEM")],
    )
    npm = osv("GHSA-n", {"ecosystem": "npm", "name": "@Scope/Pkg"}, ranges=[semver(("introduced", "0"))])
    found = match(
        sbom("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", "pkg:npm/%40scope/pkg@1.0.0"),
        [maven, npm],
    )
    assert sorted(f.id for f in found) == ["GHSA-m", "GHSA-n"]


@pytest.mark.parametrize(
    ("purl", "hit"),
    [
        ("pkg:deb/debian/openssl@3.0.11-1?distro=debian-12", True),
        ("pkg:deb/debian/openssl@3.0.11-1?distro=debian-11", False),
        ("pkg:deb/debian/openssl@3.0.11-1?arch=amd64&distro=bookworm", True),
        ("pkg:deb/debian/openssl@3.0.11-1", True),
    ],
)
def test_distribution_release_must_agree_when_both_name_it(purl: str, hit: bool) -> None:
    advisory = osv(
        "DSA-2",
        {"ecosystem": "Debian:12", "name": "openssl"},
        ranges=[semver(("introduced", "0"), ("fixed", "3.0.13-1"), kind="ECOSYSTEM")],
    )
    assert bool(match(sbom(purl), [advisory])) is hit


def test_alpine_release_prefix() -> None:
    advisory = osv(
        "ALPINE-1",
        {"ecosystem": "Alpine:v3.17", "name": "zlib"},
        ranges=[semver(("introduced", "0"), ("fixed", "1.2.12-r2"), kind="ECOSYSTEM")],
    )
    assert match(sbom("pkg:apk/alpine/zlib@1.2.10-r0?distro=alpine-3.17.1"), [advisory])
    assert not match(sbom("pkg:apk/alpine/zlib@1.2.10-r0?distro=alpine-3.18.0"), [advisory])


def test_an_unscored_advisory_borrows_the_cvss_of_its_cve() -> None:
    go = osv("GO-20", GO, ranges=[semver(("introduced", "0"))], aliases=["CVE-2099-20"])
    nvd_like = osv(
        "CVE-2099-20",
        {"ecosystem": "Other", "name": "unrelated"},
        versions=["1"],
        severity=[{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"}],
    )
    (finding,) = match(sbom("pkg:golang/github.com/acme/lib@v1.0.0"), [go, nvd_like])
    assert [e.advisory for e in finding.evidence] == [
        "GO-20"
    ]  # the CVE record did not match; it lends its score
    assert (finding.id, finding.score, finding.severity) == ("CVE-2099-20", 7.5, "HIGH")
