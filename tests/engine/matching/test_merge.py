"""One rule merges two findings of one vulnerability (shared ids), for a scan and for the server."""

from __future__ import annotations

from opencsms.engine.matching import Evidence, Finding, MatchKind
from opencsms.engine.matching.merge import merged
from opencsms.engine.sbom import Component

LIB = Component("lib", "lib", "1.0.0", purl="pkg:golang/example.com/lib@1.0.0")


def _evidence(advisory: str) -> Evidence:
    return Evidence(advisory, "osv", MatchKind.RANGE, LIB.purl, "< 1.2.0")


def test_two_findings_of_one_vulnerability_become_one() -> None:
    go = Finding("GO-1", ("CVE-1",), LIB, (_evidence("GO-1"),), "UNKNOWN", None, (), ("1.2.0",), "go text")
    ghsa = Finding(
        "GHSA-1", ("CVE-1",), LIB, (_evidence("GHSA-1"), _evidence("GO-1")), "HIGH", 7.5, ("CVSS:3.1/AV:N",)
    )
    one = merged(go, ghsa)
    assert (one.id, one.aliases) == ("CVE-1", ("GHSA-1", "GO-1"))
    assert one.evidence == (_evidence("GO-1"), _evidence("GHSA-1"))  # no repeats
    assert (one.severity, one.score, one.vectors, one.remediations) == (
        "HIGH",
        7.5,
        ("CVSS:3.1/AV:N",),
        ("1.2.0",),
    )
    assert one.summary == "go text"


def test_a_named_finding_keeps_its_name_and_a_tie_keeps_its_severity() -> None:
    stored = Finding("GO-1", (), LIB, (_evidence("GO-1"),), "MEDIUM", 5.0, summary="")
    new = Finding("CVE-1", ("GO-1",), LIB, (_evidence("CVE-1"),), "HIGH", 5.0, summary="nvd text")
    one = merged(stored, new, "GO-1")
    assert (one.id, one.aliases, one.severity, one.summary) == ("GO-1", ("CVE-1",), "MEDIUM", "nvd text")
