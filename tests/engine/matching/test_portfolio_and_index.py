"""The portfolio index (one new advisory against many releases) and the local index file."""

from __future__ import annotations

from pathlib import Path

import pytest

from opencsms.engine.advisories import read_advisories
from opencsms.engine.advisories.store import AdvisoryStore, write_index
from opencsms.engine.errors import ParseError
from opencsms.engine.matching import AdvisoryIndex, PortfolioIndex, match, merge_findings
from opencsms.engine.sbom import parse_sbom
from opencsms.engine.vulnscan import ScanInput, scan
from tests.engine.matching.builders import osv, sbom, semver
from tests.paths import GOLDEN

INPUTS = GOLDEN / "vulns" / "inputs"
LIB = {"ecosystem": "Go", "name": "github.com/acme/lib"}


def _portfolio() -> PortfolioIndex:
    portfolio = PortfolioIndex()
    for number, version in enumerate(["v1.0.0", "v1.1.0", "v1.2.0", "v2.0.0"]):
        portfolio.add_release(
            f"ecu-{number}", sbom(f"pkg:golang/github.com/acme/lib@{version}", "pkg:npm/left-pad@1.0.0")
        )
    return portfolio


def test_one_new_advisory_finds_the_affected_releases_only() -> None:
    advisory = osv("GO-10", LIB, ranges=[semver(("introduced", "1.1.0"), ("fixed", "1.2.0"))])
    findings = _portfolio().match_advisory(advisory)
    assert [(f.release, f.component.version, f.id) for f in findings] == [("ecu-1", "v1.1.0", "GO-10")]


def test_incremental_matching_equals_the_full_rematch() -> None:
    advisories = [
        osv("GO-11", LIB, ranges=[semver(("introduced", "0"), ("fixed", "1.2.0"))], aliases=["CVE-1"]),
        osv("GHSA-x", LIB, ranges=[semver(("introduced", "1.0.0"), ("fixed", "2.0.0"))], aliases=["CVE-1"]),
        osv("NPM-1", {"ecosystem": "npm", "name": "left-pad"}, versions=["1.0.0"]),
    ]
    portfolio = _portfolio()
    incremental = merge_findings(f for a in advisories for f in portfolio.match_advisory(a))
    full = [f for findings in portfolio.match_all(AdvisoryIndex(advisories)).values() for f in findings]
    key = lambda f: (f.release, f.component.ref, f.id, f.aliases)  # noqa: E731
    assert sorted(map(key, incremental)) == sorted(map(key, full))
    assert len(full) == 7  # lib in ecu-0..2 (merged CVE-1), left-pad in all four


def test_replacing_and_removing_a_release() -> None:
    portfolio = _portfolio()
    advisory = osv("GO-12", LIB, ranges=[semver(("introduced", "0"))])
    portfolio.add_release("ecu-0", sbom("pkg:golang/github.com/acme/other@v1.0.0"))
    portfolio.remove_release("ecu-3")
    assert sorted(f.release for f in portfolio.match_advisory(advisory)) == ["ecu-1", "ecu-2"]


def test_index_file_round_trip(tmp_path: Path) -> None:
    read = read_advisories([INPUTS])
    path = tmp_path / "advisories.idx"
    stored = write_index(read.advisories, path)
    assert stored == len([a for a in read.advisories if not a.withdrawn])
    store = AdvisoryStore(path)
    xz = sbom(cpes=("cpe:2.3:a:tukaani:xz:5.6.0:*:*:*:*:*:*:*",))
    loaded = store.advisories_for([("cpe", "tukaani", "xz")])
    assert [a.id for a in loaded] == ["CVE-2024-3094"]
    assert loaded == [a for a in read.advisories if a.id == "CVE-2024-3094"]  # equal values, field for field
    assert [f.id for f in match(xz, loaded)] == ["CVE-2024-3094"]
    store.close()


def test_a_file_that_is_not_an_index_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bogus.idx"
    path.write_bytes(b"SQLite format 3\x00 but not really")
    with pytest.raises(ParseError) as refused:
        AdvisoryStore(path)
    assert refused.value.problems[0].rule == "not-an-index"


def test_go_sbom_against_go_advisories() -> None:
    release = parse_sbom((INPUTS / "spdx-2.2-example7-golang.spdx.json").read_bytes(), "golang")
    assert all(c.ref for c in release.components)
    assert (
        match(release, read_advisories([INPUTS]).advisories) == []
    )  # nothing in it is in the two GO records


def test_the_index_file_lends_scores_through_aliases(tmp_path: Path) -> None:
    go = osv("GO-30", LIB, ranges=[semver(("introduced", "0"))], aliases=["CVE-2099-30"])
    cve = osv(
        "CVE-2099-30",
        {"ecosystem": "Other", "name": "elsewhere"},
        versions=["9"],
        severity=[{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
    )
    path = tmp_path / "a.idx"
    write_index([go, cve], path)
    store = AdvisoryStore(path)
    release = sbom("pkg:golang/github.com/acme/lib@v1.0.0")
    (finding,) = scan(ScanInput(sboms=[release], store=store))
    assert (finding.id, finding.severity) == ("CVE-2099-30", "CRITICAL")
    portfolio = _portfolio()
    scored = portfolio.match_advisory(go, known=AdvisoryIndex([cve]))
    assert {f.severity for f in scored} == {"CRITICAL"}
    assert {f.severity for f in portfolio.match_advisory(go)} == {"UNKNOWN"}
    store.close()
