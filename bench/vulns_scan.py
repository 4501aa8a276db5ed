"""Benchmark: vulnerability matching (issue 5, item 9); prints the figures recorded in docs/benchmarks.md.

    python bench/vulns_scan.py     # (a) one SBOM against an index, (b) 1,000 releases, (c) 100 advisories

(a) one real SBOM of about 250 components (flux 0.26.3, SPDX JSON) scanned against a prebuilt index of every
    advisory in ../shared/data (OSV Go, CVE 5, NVD, CISA CSAF): in process, and as the `opencsms vulns scan`
    subprocess, with Python's own start-up measured apart. Target <= 0.3 s.
(b) a portfolio of 1,000 releases built from the real SBOMs (replicated; ~10 % of versions moved to a
    neighbouring release, ~5 % of components dropped, seeded) re-matched in full. Target <= 30 s on 2 cores.
(c) 100 advisories (the newest Go records) matched one by one against the portfolio index. Target <= 1 s.
"""

from __future__ import annotations

import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from opencsms.engine.advisories import Advisory, read_advisories
from opencsms.engine.advisories.store import AdvisoryStore, write_index
from opencsms.engine.errors import ParseError
from opencsms.engine.matching import AdvisoryIndex, PortfolioIndex
from opencsms.engine.sbom import Sbom, load_sbom
from opencsms.engine.vulnscan import ScanInput, scan

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
ONE = SHARED / "sboms" / "bom-shelter" / "in-the-wild" / "spdx" / "flux_0.26.3_sbom.spdx.json"
OPENCSMS = Path(sys.executable).with_name("opencsms")


def _best(function: object, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def _wall(command: list[str], repeat: int = 5) -> float:
    return _best(lambda: subprocess.run(command, check=True, capture_output=True), repeat)


def one_sbom(index: Path) -> None:
    """(a) one SBOM against the prebuilt index."""
    release = load_sbom(ONE)
    in_process = _best(lambda: scan(ScanInput(sboms=[load_sbom(ONE)], store=AdvisoryStore(index))))
    findings = scan(ScanInput(sboms=[release], store=AdvisoryStore(index)))
    command = [
        str(OPENCSMS),
        "vulns",
        "scan",
        str(ONE),
        "--index",
        str(index),
        "-f",
        "json",
        "-o",
        "/dev/null",
    ]
    cli = _wall(command)
    python = _wall([sys.executable, "-c", "pass"])
    imports = _wall([sys.executable, "-c", "import opencsms.cli.vulns"])
    print(f"(a) {len(release.components)} components, {len(findings)} findings")
    print(f"    in process (parse SBOM + read index + match + VEX): {in_process:.3f} s")
    print(f"    `opencsms vulns scan` subprocess wall time:           {cli:.3f} s  (target <= 0.3 s)")
    print(f"    of which Python start-up {python:.3f} s, imports {imports - python:.3f} s")


def _real_sboms() -> list[Sbom]:
    found = []
    for path in sorted((SHARED / "sboms").rglob("*")):
        if path.suffix.lower() not in {".json", ".xml", ".spdx"}:
            continue
        try:
            release = load_sbom(path)
        except ParseError:
            continue
        if len(release.components) >= 20:
            found.append(release)
    return found


def _vary(release: Sbom, rng: random.Random) -> Sbom:
    """The release with ~5 % of components dropped and ~10 % of versions moved (last digit + 1)."""
    components = []
    for original in release.components:
        if rng.random() < 0.05:
            continue
        varied = original
        digits = [i for i, ch in enumerate(original.version) if ch.isdigit()]
        if original.purl and digits and rng.random() < 0.10:
            last, version = digits[-1], original.version
            bumped = f"{version[:last]}{(int(version[last]) + 1) % 10}{version[last + 1 :]}"
            varied = replace(
                original, version=bumped, purl=original.purl.replace(f"@{version}", f"@{bumped}")
            )
        components.append(varied)
    return replace(release, components=tuple(components))


def portfolio(advisories: list[Advisory]) -> PortfolioIndex:
    """(b) 1,000 releases re-matched in full."""
    rng = random.Random(5)
    bases = _real_sboms()
    index = PortfolioIndex()
    start = time.perf_counter()
    for number in range(1000):
        index.add_release(f"release-{number:04d}", _vary(bases[number % len(bases)], rng))
    built = time.perf_counter() - start
    components = sum(len(s.components) for s in index.releases.values())
    advisory_index = AdvisoryIndex(advisories)
    start = time.perf_counter()
    results = index.match_all(advisory_index)
    full = time.perf_counter() - start
    print(f"(b) 1,000 releases from {len(bases)} real SBOMs, {components:,} components; ", end="")
    print(f"index built in {built:.2f} s")
    print(
        f"    full re-match against {advisory_index.count:,} advisories: {full:.2f} s, "
        f"{sum(map(len, results.values())):,} findings  (target <= 30 s)"
    )
    return index


def incremental(index: PortfolioIndex, advisories: list[Advisory]) -> None:
    """(c) 100 new advisories matched one by one."""
    newest = sorted(
        (a for a in advisories if a.id.startswith("GO-") and not a.withdrawn), key=lambda a: a.published
    )[-100:]
    start = time.perf_counter()
    findings = [f for a in newest for f in index.match_advisory(a)]
    elapsed = time.perf_counter() - start
    per = [_best(lambda a=a: index.match_advisory(a), 1) for a in newest]
    print(
        f"(c) 100 new advisories against the portfolio: {elapsed:.3f} s, {len(findings):,} findings "
        f"(median {statistics.median(per) * 1e6:.0f} µs per advisory)  (target <= 1 s)"
    )


def main() -> None:
    print(f"python {sys.version.split()[0]}; data: {SHARED.resolve()}")
    read = read_advisories(
        [SHARED / "advisories" / d for d in ("osv-go", "cve5-go-cna", "nvd-cve5-samples", "csaf-cisa")]
    )
    advisories = list(read.advisories)
    with tempfile.TemporaryDirectory() as folder:
        index = Path(folder) / "advisories.idx"
        start = time.perf_counter()
        stored = write_index(advisories, index)
        print(
            f"index of {stored:,} advisories built in {time.perf_counter() - start:.2f} s "
            f"({index.stat().st_size / 1e6:.1f} MB)"
        )
        one_sbom(index)
    incremental(portfolio(advisories), advisories)


if __name__ == "__main__":
    main()
