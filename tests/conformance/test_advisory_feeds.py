"""Real feeds parse (OSV Go, CVE JSON 5, NVD API 2.0, CISA KEV) and osv-scanner's SBOM snapshots are
reproduced offline where our data can: its Go findings for the SBOMs of `sbom-insecure`."""

from __future__ import annotations

import re
from functools import cache

import pytest

from opencsms.engine.advisories import AdvisoryRead, parse_kev, read_advisories
from opencsms.engine.matching import AdvisoryIndex, match
from opencsms.engine.sbom import load_sbom
from tests.conformance.shared import shared

OSV_SCANNER = ("sboms", "osv-scanner-testdata", "cmd", "osv-scanner", "scan", "source")
_ROW = re.compile(
    r"^\| https://osv\.dev/(GO-\d{4}-\d+)\s*\|[^|]*\| Go\s*\| (\S+)\s*\| (\S+)\s*\|[^|]*\| "
    r"testdata/(sbom-insecure/\S+)\s*\|"
)


@cache
def _go() -> AdvisoryRead:
    return read_advisories([shared("advisories", "osv-go")])


def test_every_go_osv_record_parses() -> None:
    read = _go()
    assert len(read.advisories) == 4291
    assert [p.file.rsplit("/", 1)[-1] for p in read.skipped] == ["LICENSE"]
    withdrawn = [a for a in read.advisories if a.withdrawn]
    assert withdrawn  # golang/vulndb withdraws records: they must be kept out of matching
    assert AdvisoryIndex(read.advisories).count == len(read.advisories) - len(withdrawn)


def test_cve5_and_nvd_samples_parse() -> None:
    cve5 = read_advisories([shared("advisories", "cve5-go-cna")])
    assert len(cve5.advisories) == 239
    assert all(a.id.startswith("CVE-") and a.source == "CVE5" for a in cve5.advisories)
    assert sum(1 for a in cve5.advisories if any(x.purl_type == "golang" for x in a.affected)) > 200
    nvd = read_advisories([shared("advisories", "nvd-cve5-samples", "vulnfeeds", "test_data", "nvdcve-2.0")])
    assert len(nvd.advisories) == 23
    assert {"CVE-2024-3094", "CVE-2023-4863"} <= {a.id for a in nvd.advisories}


@pytest.mark.parametrize(
    "name", ["known_exploited_vulnerabilities.json", "known_exploited_vulnerabilities.csv"]
)
def test_kev_catalogue_parses(name: str) -> None:
    kev = parse_kev(shared("advisories", "cisa-kev", name).read_bytes(), name)
    assert len(kev) == 1404
    assert kev["CVE-2021-44228"].date_added == "2021-12-10"


def _snapshot_rows() -> list[tuple[str, str, str, str]]:
    snapshot = shared(*OSV_SCANNER, "__snapshots__", "command_test.snap")
    rows = {m.groups() for line in snapshot.read_text().splitlines() if (m := _ROW.match(line))}
    return sorted(rows)


def test_osv_scanner_sbom_snapshots_are_reproduced_for_go() -> None:
    rows = _snapshot_rows()
    assert len(rows) >= 10
    index = AdvisoryIndex(_go().advisories)
    known = {a.id for a in _go().advisories}
    checked = 0
    for advisory_id, package, version, sbom_name in rows:
        if advisory_id not in known:
            continue  # a record newer or older than our copy of the Go database
        release = load_sbom(shared(*OSV_SCANNER, "testdata", sbom_name))
        found = {
            (i, f.component.purl.split("@")[0], f.component.version)
            for f in match(release, index)
            for i in f.ids
        }
        assert (advisory_id, f"pkg:golang/{package}", version) in found, (advisory_id, package, sbom_name)
        checked += 1
    assert checked >= 10
