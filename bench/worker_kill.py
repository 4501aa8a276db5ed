"""Benchmark: the worker killed (SIGKILL) in the middle of a TARA import leaves nothing partial; the job is
swept and imported again by the next worker.

    python bench/worker_kill.py                                 # PostgreSQL database wtload_bench
    python bench/worker_kill.py --threats 4000 --kill-after 2 --database-url postgresql://...

It queues the import of the synthetic model of `tara_scale.py` (`--threats` threat scenarios) into a new
project through the service, starts `opencsms worker` with short job leases (heartbeat 1 s, stale after
5 s, sweep every 1 s; production defaults are 30 s, 600 s and 60 s), kills it with SIGKILL `--kill-after`
seconds into the import, checks that the project has no TARA and no element, starts a second worker and
waits for the job to be done. Printed: the import's progress when killed, the rows found after the kill,
how long until the job was queued again (the lease's stale limit plus the sweep), until it was done, and
the imported TARA's threat scenarios against the file's.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

LEASES = {
    "OPENCSMS_JOB_HEARTBEAT_SECONDS": "1",
    "OPENCSMS_JOB_STALE_SECONDS": "5",
    "OPENCSMS_JOB_SWEEP_SECONDS": "1",
}


def _worker(log: Path) -> subprocess.Popen[bytes]:
    command = [str(Path(sys.executable).parent / "opencsms"), "worker"]
    with log.open("ab") as out:
        return subprocess.Popen(command, env=dict(os.environ), cwd=ROOT, stdout=out, stderr=out)


def _wait(job_id: int, statuses: set[str], limit: float) -> tuple[str, float]:
    from opencsms.tara.models import ImportJob

    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        status = str(ImportJob.objects.values_list("status", flat=True).get(pk=job_id))
        if status in statuses:
            return status, time.perf_counter() - started
        time.sleep(0.1)
    raise SystemExit(f"job {job_id} not {statuses} after {limit} s")


def _queue(threats: int) -> tuple[Any, Any, bytes]:
    """A new project and the queued import of the synthetic model into it."""
    from opencsms.core.audit import correlation
    from opencsms.core.services import system_user
    from opencsms.engine.tara_as_code import dumps
    from opencsms.organisation import services as organisation_services
    from opencsms.tara.services import request_import
    from tara_scale import synthetic_model

    raw = dumps(synthetic_model(threats)).encode()
    with correlation():
        actor = system_user()
        org = organisation_services.create_organisation(actor=actor, name=f"Kill {time.time_ns()}")
        unit = organisation_services.create_business_unit(actor=actor, organisation_id=org.pk, name="BU")
        project = organisation_services.create_project(actor=actor, business_unit_id=unit.pk, name="P")
        job = request_import(actor=actor, project_id=project.pk, raw=raw, filename="kill.yaml")
    return project, job, raw


def _rows(project: Any) -> tuple[int, int]:
    from opencsms.tara.models import Element, Tara

    return Tara.objects.filter(project=project).count(), Element.objects.filter(tara__project=project).count()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threats", type=int, default=4000)
    parser.add_argument("--kill-after", type=float, default=2.0, help="seconds after the job started")
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/wtload_bench")
    args = parser.parse_args()
    os.environ.update(LEASES)
    from stored_tara import set_up

    set_up(args.database_url)
    from opencsms.tara.models import Element, ImportJob, Tara

    log = ROOT / "var/bench/worker_kill.worker.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    project, job, raw = _queue(args.threats)
    first = _worker(log)
    _, waited = _wait(job.pk, {"running"}, 120)
    time.sleep(args.kill_after)
    still = ImportJob.objects.get(pk=job.pk).status
    os.kill(first.pid, signal.SIGKILL)
    killed_at = time.perf_counter()
    first.wait()
    taras, elements = _rows(project)
    print(f"{args.threats:,} threat scenarios ({len(raw) / 1e6:.1f} MB); the worker took the job after "
          f"{waited:.1f} s and was killed (SIGKILL) {args.kill_after:.1f} s into the import "
          f"(job {still})")  # fmt: skip
    print(f"after the kill: {taras} TARA, {elements} elements in the project (nothing partial: "
          f"{'yes' if taras == elements == 0 else 'NO'})")  # fmt: skip
    second = _worker(log)
    try:
        _wait(job.pk, {"queued"}, 120)
        requeued = time.perf_counter() - killed_at
        status, _ = _wait(job.pk, {"done", "failed"}, 600)
        done = time.perf_counter() - killed_at
    finally:
        second.terminate()
        second.wait(timeout=30)
    job.refresh_from_db()
    tara = Tara.objects.filter(project=project).first()
    count = tara.summary["counts"]["threat_scenarios"] if tara else 0
    stored = Element.objects.filter(tara__project=project, kind="threat_scenarios").count()
    complete = count == stored == args.threats
    print(f"queued again {requeued:.1f} s after the kill (stale limit 5 s + sweep); {status} "
          f"{done:.1f} s after it, attempt {job.attempts}")  # fmt: skip
    print(f"imported: {count:,} threat scenarios in the summary, {stored:,} stored, "
          f"of {args.threats:,} in the file: {'complete' if complete else 'INCOMPLETE'}")  # fmt: skip
    return 0 if taras == elements == 0 and status == "done" and complete else 1


if __name__ == "__main__":
    raise SystemExit(main())
