"""Benchmark: an incremental sync of 1,000 changed advisories matched against a stored portfolio (issue 12,
item 2); prints the figures recorded in docs/benchmarks.md.

    python bench/incremental_sync.py [--releases 100] [--database-url sqlite:///var/bench-incremental.sqlite3]

A portfolio of releases is uploaded through the service from the real SBOMs of ../shared/data (in turn, each
under its own name), and 1,000 real OSV Go records (../shared/data/advisories/osv-go) are imported once:
the state before the sync. Then each of the 1,000 records is changed (a new `modified` time and summary)
and served as an OSV ecosystem (all.zip, modified_id.csv, one JSON per record) by a local HTTP server; the
source's cursor is at the old time, so the sync reads modified_id.csv and fetches only the changed records.
Printed: (1) the whole scheduled sync (`sync_source`: fetch through core.outbound, parse, store, match,
notify, audit) and (2) of it, the import of what changed (`import_read`: store the 1,000 changed records,
their match keys, match them against the components they name, store findings). Target for (2): <= 2 s.
BENCH_PROFILE=1 prints a profile of the incremental sync.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stored_tara import set_up

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
OSV_GO = SHARED / "advisories" / "osv-go"
CHANGED = 1000


def _sboms(count: int) -> list[Path]:
    from opencsms.engine.errors import ParseError
    from opencsms.engine.sbom import load_sbom

    found = []
    for path in sorted((SHARED / "sboms").rglob("*")):
        if path.suffix.lower() not in {".json", ".xml"} or path.stat().st_size > 5_000_000:
            continue
        try:
            if len(load_sbom(path).components) >= 20:
                found.append(path)
        except ParseError:
            continue
    return [found[i % len(found)] for i in range(count)]


def _portfolio(actor: Any, releases: int) -> Any:
    from opencsms.organisation import services as organisation_services
    from opencsms.vulns import services

    org = organisation_services.create_organisation(actor=actor, name=f"Bench feeds {time.time_ns()}")
    unit = organisation_services.create_business_unit(actor=actor, organisation_id=org.pk, name="BU")
    project = organisation_services.create_project(actor=actor, business_unit_id=unit.pk, name="ECUs")
    started = time.perf_counter()
    components = 0
    for number, path in enumerate(_sboms(releases)):
        release = services.upload_sbom(
            actor=actor, project_id=project.pk, name=f"ecu-{number:04d}", version="1.0",
            raw=path.read_bytes(), filename=path.name,
        )  # fmt: skip
        components += release.components.count()
    print(f"portfolio: {releases} releases, {components:,} components, uploaded in "
          f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    return org, project


def _records() -> list[dict[str, Any]]:
    records = []
    for path in sorted(OSV_GO.glob("*.json")):
        data = json.loads(path.read_bytes())
        if not data.get("withdrawn"):
            records.append(data)
        if len(records) == CHANGED:
            break
    return records


def _changed(before: list[dict[str, Any]]) -> list[dict[str, Any]]:
    changed = []
    for original in before:
        record = copy.deepcopy(original)
        record["modified"] = "2030-01-01T00:00:00Z"
        record["summary"] = f"{record.get('summary', '')} (changed)"
        changed.append(record)
    return changed


def _timed_sync(source_id: int, actor: Any) -> tuple[Any, float, float]:
    """The sync of the source: (result, whole seconds, seconds of `import_read` inside it)."""
    from opencsms.vulns import services
    from opencsms.vulns.services import sources

    timed: dict[str, float] = {}
    original = sources.import_read

    def measured(*args: Any) -> Any:
        start = time.perf_counter()
        result = original(*args)
        timed["import"] = time.perf_counter() - start
        return result

    sources.import_read = measured  # type: ignore[assignment]
    started = time.perf_counter()
    try:
        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats

            with cProfile.Profile() as profile:
                result = services.sync_source(actor=actor, source_id=source_id)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(35)
        else:
            result = services.sync_source(actor=actor, source_id=source_id)
    finally:
        sources.import_read = original  # type: ignore[assignment]
    return result, time.perf_counter() - started, timed["import"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--releases", type=int, default=100)
    parser.add_argument("--database-url", default="sqlite:///var/bench-incremental.sqlite3")
    options = parser.parse_args()
    Path("var").mkdir(exist_ok=True)
    set_up(options.database_url)
    from django.conf import settings
    from tests.core.localhttp import local_server
    from tests.factories.feeds import osv_ecosystem

    from opencsms.core.services import system_user
    from opencsms.vulns import services
    from opencsms.vulns.models import AdvisorySource, Finding

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"python {sys.version.split()[0]}; database {engine}")
    actor = system_user()
    org, project = _portfolio(actor, options.releases)
    before = _records()
    settings.OUTBOUND = {**settings.OUTBOUND, "allow_hosts": ["127.0.0.1"]}
    with local_server() as base:
        osv_ecosystem("Go", before, before)
        source = services.create_advisory_source(
            actor=actor, organisation_id=org.pk, name="Go", kind="osv_url", location=f"{base}/files/osv",
            ecosystems=["Go"],
        )  # fmt: skip
        started = time.perf_counter()
        first = services.sync_source(actor=actor, source_id=source.pk)
        print(f"first sync (all.zip, {len(before):,} records): {time.perf_counter() - started:.2f} s, "
              f"{first.findings:,} findings")  # fmt: skip
        changed = _changed(before)
        osv_ecosystem("Go", changed, changed)
        result, whole, matching = _timed_sync(source.pk, actor)
    fetched = AdvisorySource.objects.get(pk=source.pk).last_result["fetched"]
    findings = Finding.objects.filter(release__project=project).count()
    print(f"(1) incremental sync: {fetched:,} changed records fetched (modified_id.csv + one JSON each), "
          f"parsed, imported: {whole:.2f} s")  # fmt: skip
    print(f"(2) of which matching what changed: {matching:.2f} s for {result.changed:,} changed "
          f"advisories against the portfolio; {findings:,} findings stored  (target <= 2 s)")  # fmt: skip


if __name__ == "__main__":
    main()
