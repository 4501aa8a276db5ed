"""Benchmark: replacing a release's SBOM and importing a VEX document in the server (issue 12, item 4);
prints the figures recorded in docs/benchmarks.md.

    python bench/sbom_replace.py [--components 2000] [--database-url sqlite:///...]

A release of N synthetic npm components (seeded) is uploaded with one advisory for every fourth package, so
a quarter of the components have a finding. Its SBOM is then replaced by a revision in which 10 % of the
components moved to another version (half of them out of the advisories' range), 5 % were dropped and 5 %
are new: the time of `replace_sbom` (diff, closures, re-match, revision, audit) is printed with what it
did. Then a VEX document (OpenVEX) with one statement per finding is imported on the release
(`import_vex`). Each step runs three times on a fresh release; the best and the worst are printed.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _cyclonedx(components: list[tuple[str, str]]) -> bytes:
    document = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "version": 1,
        "metadata": {"component": {"type": "firmware", "name": "bench-ecu", "version": "1"}},
        "components": [
            {"type": "library", "bom-ref": f"{name}@{version}", "name": name, "version": version,
             "purl": f"pkg:npm/{name}@{version}"}
            for name, version in components
        ],
    }  # fmt: skip
    return json.dumps(document).encode()


def _advisories(count: int) -> bytes:
    records = [
        {"id": f"BENCH-{n}", "modified": "2026-01-01T00:00:00Z", "aliases": [f"CVE-2099-{n}"],
         "affected": [{"package": {"ecosystem": "npm", "name": f"lib-{n}"},
                       "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "2.0.0"}]}]}]}
        for n in range(0, count, 4)
    ]  # fmt: skip
    return json.dumps(records).encode()


def _revision(components: list[tuple[str, str]], rng: random.Random) -> list[tuple[str, str]]:
    count = len(components)
    kept = [c for c in components if rng.random() >= 0.05]  # 5 % dropped
    moved = rng.sample(range(len(kept)), count // 10)  # 10 % to another version
    for index in moved:
        name, _ = kept[index]
        kept[index] = (name, rng.choice(("1.5.0", "2.1.0")))  # half still in range, half fixed
    return kept + [(f"new-{n}", "1.0.0") for n in range(count // 20)]  # 5 % new


def _openvex(findings: list[Any]) -> bytes:
    statements = [
        {
            "vulnerability": {"name": f.vulnerability_id},
            "products": [f.component.purl],
            "status": "not_affected",
            "justification": "vulnerable_code_not_in_execute_path",
        }
        for f in findings
    ]
    document = {"@context": "https://openvex.dev/ns/v0.2.0", "timestamp": "2026-01-01T00:00:00Z",
                "statements": statements}  # fmt: skip
    return json.dumps(document).encode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--components", type=int, default=2000)
    parser.add_argument("--database-url", default=f"sqlite:///{ROOT}/var/bench/sbom_replace.sqlite3")
    args = parser.parse_args()
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    from stored_tara import set_up

    set_up(args.database_url)
    from opencsms.core.audit import correlation
    from opencsms.core.services import system_user
    from opencsms.organisation import services as organisation_services
    from opencsms.vulns import services

    rng = random.Random(7)
    first = [(f"lib-{n}", "1.0.0") for n in range(args.components)]
    second = _revision(first, rng)
    with correlation():
        actor = system_user()
        org = organisation_services.create_organisation(actor=actor, name=f"Bench {time.time_ns()}")
        unit = organisation_services.create_business_unit(actor=actor, organisation_id=org.pk, name="BU")
        project = organisation_services.create_project(actor=actor, business_unit_id=unit.pk, name="ECU")
        services.import_advisories(actor=actor, project_id=project.pk, raw=_advisories(args.components))
        print(f"{args.components:,} components, {len(second):,} in revision 2; "
              f"{args.database_url.split(':')[0]}, python {sys.version.split()[0]}; seconds")  # fmt: skip
        replaced, imported = [], []
        for run in range(3):
            release = services.upload_sbom(
                actor=actor, project_id=project.pk, name="ECU", version=str(run), raw=_cyclonedx(first)
            )
            started = time.perf_counter()
            revision = services.replace_sbom(actor=actor, release_id=release.pk, raw=_cyclonedx(second))
            replaced.append(time.perf_counter() - started)
            vex = _openvex(
                list(release.findings.filter(vex_status="under_investigation").select_related("component"))
            )
            started = time.perf_counter()
            made = services.import_vex(
                actor=actor, release_id=release.pk, raw=vex, filename="bench.openvex.json"
            )
            imported.append(time.perf_counter() - started)
        print(f"  replace_sbom: best {min(replaced):.2f}, worst {max(replaced):.2f}  ({revision.described})")
        print(f"  import_vex:   best {min(imported):.2f}, worst {max(imported):.2f}  "
              f"({len(made.report):,} statements: {made.described})")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
