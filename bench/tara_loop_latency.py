"""Benchmark: the loop into the TARA end to end (issue 12, item 3): an advisory imported -> its findings
-> the attack steps on the affected components re-rated automatically (the organisation's rule
`automatic`) -> risks evaluated again -> the notifications written (and their delivery queued when a
channel is set), in one call of `import_advisories`, as a sync runs it.

    python bench/tara_loop_latency.py                                  # SQLite file under var/bench
    python bench/tara_loop_latency.py --releases 1000 --taras 50 --threats 2000 --affected 1.0
    python bench/tara_loop_latency.py --database-url postgresql://postgres@127.0.0.1:5432/bench_loop

The portfolio: `--taras` projects of one organisation, each with a TARA of `--threats` threat scenarios
(the synthetic model of `tara_scale.py`, imported once through the service, then copied row for row with
bulk creates) and `--releases / --taras` releases placed on one of its ECUs, each release with six
components (bulk creates with the match keys the upload stores). A share `--affected` of the releases
carries the vulnerable package. One organisation engineer is notified. Each run builds a new portfolio
(an organisation of its own: a run on a portfolio whose steps were already re-rated would change nothing)
and imports a new advisory into it; the stored TARA it copies is imported once per size.
Target (issue 12): <= 60 s for 1,000 releases and 50 TARAs of 2,000 threat scenarios.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

VULNERABLE = "example.com/bench/mqtt"


def _sbom(extra: bool) -> bytes:
    packages = ["golang.org/x/text@v0.3.7", "github.com/gin-gonic/gin@v1.6.3",
                "google.golang.org/grpc@v1.56.2", "github.com/gorilla/websocket@v1.4.2",
                "google.golang.org/protobuf@v1.28.1"]  # fmt: skip
    if extra:
        packages.append(f"{VULNERABLE}@v1.0.0")
    components = [
        {"type": "library", "bom-ref": f"c{i}", "name": p.split("@")[0], "version": p.split("@")[1],
         "purl": f"pkg:golang/{p}"}
        for i, p in enumerate(packages)
    ]  # fmt: skip
    return json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
                       "metadata": {"component": {"type": "firmware", "name": "ecu"}},
                       "components": components}).encode()  # fmt: skip


def _advisory(run: int) -> bytes:
    return json.dumps({
        "schema_version": "1.6.0", "id": f"BENCH-LOOP-{run}-{time.time_ns()}",
        "modified": "2026-12-01T00:00:00Z",
        "summary": "benchmark advisory (not real)",
        "affected": [{"package": {"ecosystem": "Go", "name": VULNERABLE},
                      "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "9.0.0"}]}]}],
        "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
    }).encode()  # fmt: skip


def _copy_tara(source: Any, project: Any, index: int) -> Any:
    from opencsms.tara.models import Element, Tara

    tara = Tara.objects.get(pk=source.pk)
    tara.pk, tara.project, tara.ref = None, project, f"bench-loop-{index}"
    tara.save()
    rows = list(Element.objects.filter(tara=source).order_by("pk"))
    for row in rows:
        row.pk, row.tara = None, tara
    Element.objects.bulk_create(rows, batch_size=1000)
    return tara


def _releases(project: Any, tara: Any, numbers: range, affected: float, actor: Any) -> int:
    from opencsms.engine.sbom import parse_sbom
    from opencsms.vulns import mapping
    from opencsms.vulns.models import ComponentKey, Release, ReleaseComponent

    ecus = sorted(tara.elements.filter(kind="components").values_list("ref", flat=True))
    made = []
    for k, number in enumerate(numbers):
        extra = (number % 100) < affected * 100
        raw = _sbom(extra)
        release = Release(
            project=project, name=f"ECU {number}", version="1.0", component_ref=ecus[k % len(ecus)],
            tara=tara, sbom=raw, sbom_sha256="0" * 64, sbom_format="cyclonedx", created_by=actor,
        )  # fmt: skip
        made.append((release, parse_sbom(raw, "bench.cdx.json")))
    Release.objects.bulk_create([r for r, _ in made])
    rows, keys = [], []
    for release, sbom in made:
        for position, component in enumerate(sbom.components):
            row = mapping.component_row(release, component, position)
            rows.append(row)
            keys += [(row, key, version) for key, version in mapping.component_key_texts(component)]
    ReleaseComponent.objects.bulk_create(rows, batch_size=1000)
    ComponentKey.objects.bulk_create(
        [ComponentKey(component=row, key=key, version=version) for row, key, version in keys], batch_size=1000
    )
    return sum(1 for release, _ in made if f"pkg:golang/{VULNERABLE}" in release.sbom.decode())


def build(args: argparse.Namespace) -> Any:
    """The organisation of the portfolio (made once, reused while it has the asked size)."""
    from django.db import transaction

    from opencsms.core.models import User
    from opencsms.organisation import services as organisation_services
    from opencsms.organisation.models import Membership, Organisation, Role
    from opencsms.vulns import services
    from opencsms.vulns.models import Release
    from stored_tara import bench_user, stored_tara

    size = f"Loop bench {args.releases}x{args.taras}x{args.threats}x{args.affected}"
    name = f"{size} #{Organisation.objects.filter(name__startswith=size).count() + 1}"
    actor = bench_user()
    source = stored_tara(args.threats)
    started = time.perf_counter()
    with transaction.atomic():
        org = organisation_services.create_organisation(actor=actor, name=name)
        unit = organisation_services.create_business_unit(actor=actor, organisation_id=org.pk, name="BU")
        engineer = User.objects.create(username=f"loop-engineer-{org.pk}")
        Membership.objects.create(user=engineer, organisation=org, role=Role.ENGINEER)
        per = args.releases // args.taras
        carrying = 0
        for index in range(args.taras):
            project = organisation_services.create_project(
                actor=actor, business_unit_id=unit.pk, name=f"P{index}"
            )
            tara = _copy_tara(source, project, index)
            carrying += _releases(project, tara, range(index * per, (index + 1) * per), args.affected, actor)
        services.set_tara_loop_rule(actor=actor, organisation_id=org.pk, mode="automatic")
    releases = Release.objects.filter(project__business_unit__organisation=org).count()
    took = time.perf_counter() - started
    print(f"portfolio built in {took:.1f} s: {args.taras} TARAs of {args.threats:,} threat scenarios,")
    print(f"  {releases:,} releases, {carrying:,} with the vulnerable package")
    return org


def run(org: Any, number: int, profile: bool) -> dict[str, Any]:
    from opencsms.core.models import ChangeRecord
    from opencsms.vulns import services
    from opencsms.vulns.models import Notification, StepLink
    from stored_tara import bench_user

    actor = bench_user()
    links, notes, records = (
        StepLink.objects.count(),
        Notification.objects.count(),
        ChangeRecord.objects.count(),
    )
    profiler = cProfile.Profile() if profile else None
    started, cpu = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    result = services.import_advisories(
        actor=actor, organisation_id=org.pk, raw=_advisory(number), filename="b.json"
    )
    if profiler:
        profiler.disable()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    made = StepLink.objects.count() - links
    applied = StepLink.objects.filter(status="applied").count()
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    return {"seconds": elapsed, "cpu": cpu, "findings": result.findings, "links": made, "applied": applied,
            "notifications": Notification.objects.count() - notes,
            "audit_records": ChangeRecord.objects.count() - records}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--releases", type=int, default=1000)
    parser.add_argument("--taras", type=int, default=50)
    parser.add_argument("--threats", type=int, default=2000)
    parser.add_argument("--affected", type=float, default=1.0, help="share of releases with the package")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--database-url", default=f"sqlite:///{ROOT / 'var/bench/loop.sqlite3'}")
    args = parser.parse_args()
    (ROOT / "var/bench").mkdir(parents=True, exist_ok=True)
    from stored_tara import set_up

    set_up(args.database_url)
    backend = "postgresql" if args.database_url.startswith("postgres") else "sqlite"
    print(f"{backend}; python {sys.version.split()[0]}; one advisory imported per run, end to end")
    for number in range(args.runs):
        figures = run(build(args), number, args.profile)
        print("  run {}: {seconds:.2f} s wall, {cpu:.2f} s CPU of this process: {findings} findings, "
              "{links} step links, {notifications} notifications, {audit_records} audit records"
              .format(number + 1, **figures))  # fmt: skip
    print(f"target <= 60 s: {'met' if figures['seconds'] <= 60 else 'NOT met'}")


if __name__ == "__main__":
    main()
