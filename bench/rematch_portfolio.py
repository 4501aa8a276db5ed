"""Benchmark: a portfolio of 1,000 releases re-matched in the database after a matching change (issue 12).

    python bench/rematch_portfolio.py                  # SQLite file under var/bench
    python bench/rematch_portfolio.py --database-url postgresql://postgres@127.0.0.1:5432/bench

The portfolio is the one of `vulns_scan.py` (b): 1,000 releases built from the real SBOMs of ../shared/data
(replicated, ~10 % of versions moved, ~5 % of components dropped, seeded), stored as an upload stores them
(components and their match keys; written in bulk here, since 1,000 uploads would each match at once), and
the advisories of ../shared/data (OSV Go, CVE 5, NVD, CISA CSAF) imported through the service. The database
is built once and reused.

A matching change is simulated as the one of issue 12 leaves a database: every stored match key derived
under the old rules (the components' and advisories' keys are deleted, so every one is re-derived) and no
finding yet. Then `rematch_organisation` runs (timed): (1) after the change (all keys and all findings
written), (2) again with nothing changed. Target (issue 12): (1) <= 30 s. Wall time and the process's CPU
time are both printed: on a shared machine the wall time mostly measures the other processes (SQLite
runs in this process, so its work is in the CPU figure; PostgreSQL's is not).
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import pstats
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / ".." / "shared" / "data"
ADVISORIES = ("osv-go", "cve5-go-cna", "nvd-cve5-samples", "csaf-cisa")
NAME = "Bench re-match"


def _portfolio(actor: Any, releases: int) -> Any:
    """The bench organisation with `releases` releases and the shared advisories, built if missing."""
    from opencsms.organisation import services as organisation_services
    from opencsms.organisation.models import Organisation, Project
    from opencsms.vulns import mapping
    from opencsms.vulns import services as vulns_services
    from opencsms.vulns.models import ComponentKey, Release, ReleaseComponent
    from vulns_scan import _real_sboms, _vary

    name = f"{NAME} ({releases} releases)"
    org = Organisation.objects.filter(name=name).first()
    if org is None:
        org = organisation_services.create_organisation(actor=actor, name=name)
        unit = organisation_services.create_business_unit(actor=actor, organisation_id=org.pk, name="BU")
        organisation_services.create_project(actor=actor, business_unit_id=unit.pk, name="Fleet")
        started = time.perf_counter()
        paths = [SHARED / "advisories" / folder for folder in ADVISORIES]
        vulns_services.import_advisories(actor=actor, organisation_id=org.pk, paths=paths)
        print(f"advisories imported in {time.perf_counter() - started:.1f} s")
    project = Project.objects.get(business_unit__organisation=org)
    stored = Release.objects.filter(project=project).count()
    rng = random.Random(5)
    bases = _real_sboms()
    started = time.perf_counter()
    for number in range(releases):
        sbom = _vary(bases[number % len(bases)], rng)
        if number < stored:  # built before (the same seeded sequence)
            continue
        raw = f"bench {number}".encode()
        release = Release.objects.create(
            project=project, name=f"ecu-{number % 50}", version=f"{number}", sbom=raw,
            sbom_sha256=hashlib.sha256(raw).hexdigest(), sbom_format=sbom.format[:64], created_by=actor,
        )  # fmt: skip
        rows = [mapping.component_row(release, c, i) for i, c in enumerate(sbom.components)]
        ReleaseComponent.objects.bulk_create(rows, batch_size=1000)
        ComponentKey.objects.bulk_create(
            (
                ComponentKey(component=row, key=key, version=version[:200])
                for row, component in zip(rows, sbom.components, strict=True)
                for key, version in mapping.component_key_texts(component)
            ),
            batch_size=1000,
        )
    print(f"{releases - stored} releases stored in {time.perf_counter() - started:.1f} s")
    return org


def _as_before_the_change(org: Any) -> None:
    """Keys derived under the old rules (deleted: every one is re-derived) and no finding yet; on
    PostgreSQL the deleted rows vacuumed and the tables analysed, as autovacuum would have (each run
    deletes some 600,000 rows: without it the dead rows of earlier runs slowed every scan of the next)."""
    from django.db import connection

    from opencsms.vulns.models import AdvisoryKey, ComponentKey, Finding, Notification

    Finding.objects.filter(release__project__business_unit__organisation=org).delete()
    Notification.objects.filter(project__business_unit__organisation=org).delete()
    ComponentKey.objects.filter(component__release__project__business_unit__organisation=org).delete()
    AdvisoryKey.objects.filter(advisory__organisation=org).delete()
    if connection.vendor == "postgresql":  # as autovacuum leaves a database in service (off on the bench's)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def _run(actor: Any, org: Any, label: str) -> float:
    from opencsms.core.audit import correlation
    from opencsms.vulns.services import rematch_organisation

    with correlation():
        started, cpu = time.perf_counter(), time.process_time()
        result = rematch_organisation(actor=actor, organisation_id=org.pk)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"{label}: {elapsed:.2f} s wall, {cpu:.2f} s CPU of this process"
        f"  ({result.releases:,} releases, {result.components:,} components, "
        f"{result.advisories:,} advisories; {result.keys_changed:,} keys re-derived, "
        f"{result.findings_created:,} findings created, {result.findings_updated:,} updated)"
    )
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--releases", type=int, default=1000)
    parser.add_argument("--database-url", default=f"sqlite:///{ROOT}/var/bench/rematch.sqlite3")
    parser.add_argument("--profile", action="store_true", help="profile run (1) and print the top entries")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).parent))
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    from stored_tara import bench_user, set_up

    set_up(args.database_url)
    from opencsms.core.services import system_user

    bench_user()
    actor = system_user()
    org = _portfolio(actor, args.releases)
    _as_before_the_change(org)
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
    first = _run(actor, org, "(1) after a matching change")
    if args.profile:
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
    _run(actor, org, "(2) nothing changed        ")
    print(f"target (1) <= 30 s: {'met' if first <= 30 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
