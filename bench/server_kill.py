"""Benchmark: the server (gunicorn's master and workers) and the task worker killed with SIGKILL in the middle
of large imports leave nothing partial; the restarted server answers and the job is swept and finished.

    python bench/server_kill.py                          # PostgreSQL database wtfaults_load
    python bench/server_kill.py --kill-after 4 --threats 4000 --components 20000 --advisories 20000

It starts gunicorn (`opencsms server serve`'s command, 4 workers: one per request; synchronous TARA
imports allowed up to 64 MiB for the run, so the large file is imported inside the request) and `opencsms
worker` (short job leases: heartbeat 1 s, stale after 5 s, sweep every 1 s) on the PostgreSQL database,
then sends at once, over the API with a token: a synchronous TARA import (`tara_scale.py`'s model,
`--threats`), an SBOM upload (CycloneDX, `--components`), an advisory import (OSV, `--advisories`) and a
queued TARA import (the worker's). `--kill-after` seconds after the worker took the queued job, and once
`--writing` database sessions hold uncommitted writes (imports in the middle of their transaction), it kills
every process of the server and the worker with SIGKILL (gunicorn's workers first, then the masters:
nothing gets a chance to clean up), then checks the database: per import, all of it or none of it; the
audit chain verifies. Then it starts both again, times the first answer, and waits for the sweep to queue
the lost job again and the new worker to finish it.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

ENVIRONMENT = {
    "OPENCSMS_JOB_HEARTBEAT_SECONDS": "1",
    "OPENCSMS_JOB_STALE_SECONDS": "5",
    "OPENCSMS_JOB_SWEEP_SECONDS": "1",
    "OPENCSMS_TARA_SYNC_IMPORT_MAX_BYTES": str(64 * 1024 * 1024),
}
RUN = uuid.uuid4().hex[:8]
PGREP = shutil.which("pgrep") or "/usr/bin/pgrep"
Send = tuple[str, str, dict[str, str], str, bytes]  # (what, API path, form fields, file name, content)


def sbom(components: int) -> bytes:
    items = [
        {"type": "library", "name": f"kill-{RUN}-{n}", "version": "1.0.0",
         "purl": f"pkg:npm/kill-{RUN}-{n}@1.0.0", "bom-ref": f"c{n}"}
        for n in range(components)
    ]  # fmt: skip
    return json.dumps(
        {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "components": items}
    ).encode()


def advisories(count: int) -> bytes:
    records = [
        {"schema_version": "1.6.0", "id": f"KILL-{RUN}-{n}", "modified": "2024-01-01T00:00:00Z",
         "summary": f"advisory {n}", "affected": [{"package": {"ecosystem": "npm", "name": f"kill-{RUN}-{n}"},
         "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "2.0.0"}]}]}]}
        for n in range(count)
    ]  # fmt: skip
    return json.dumps(records).encode()


def multipart(fields: dict[str, str], name: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]  # fmt: skip
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def post(port: int, token: str, send: Send, answers: dict[str, Any]) -> None:
    """POST `send` and keep (status, seconds) in `answers[its key]`; status 0 when the connection broke."""
    key, path, fields, name, content = send
    body, kind = multipart(fields, name, content)
    started = time.perf_counter()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        connection.request("POST", path, body, {"Authorization": f"Bearer {token}", "Content-Type": kind})
        status = connection.getresponse().status
    except (OSError, http.client.HTTPException):
        status = 0
    answers[key] = (status, time.perf_counter() - started)


def start(port: int, log: Path) -> list[subprocess.Popen[bytes]]:
    from opencsms.cli.server import gunicorn_command

    out = log.open("ab")
    server = subprocess.Popen([*gunicorn_command(host="127.0.0.1", port=port, workers=4, timeout=600)],
                              env=dict(os.environ), cwd=ROOT, stdout=out, stderr=out)  # fmt: skip
    worker = subprocess.Popen([str(Path(sys.executable).parent / "opencsms"), "worker"],
                              env=dict(os.environ), cwd=ROOT, stdout=out, stderr=out)  # fmt: skip
    return [server, worker]


def wait_answer(port: int, limit: float = 900) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/api/v1/openapi.json")
            if connection.getresponse().status == 200:
                return time.perf_counter() - started
        except OSError:
            pass
        time.sleep(0.05)
    raise SystemExit("the server did not answer")


def wait_log(log: Path, text: str, count: int, limit: float = 300) -> None:
    started = time.perf_counter()
    while log.read_text(errors="replace").count(text) < count:
        if time.perf_counter() - started > limit:
            raise SystemExit(f"no {text!r} in {log}")
        time.sleep(0.2)


def kill_all(processes: list[subprocess.Popen[bytes]]) -> int:
    """SIGKILL the children of each process (gunicorn's workers), then the processes; how many."""
    children = []
    for process in processes:
        found = subprocess.run([PGREP, "-P", str(process.pid)], check=False, capture_output=True, text=True)
        children += [int(pid) for pid in found.stdout.split()]
    for pid in children:
        os.kill(pid, signal.SIGKILL)
    for process in processes:
        process.send_signal(signal.SIGKILL)
        process.wait()
    return len(children) + len(processes)


def wait_running(project: Any, limit: float = 300) -> float:
    """Seconds until the queued import's job is running (the worker took it)."""
    from opencsms.tara.models import ImportJob

    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        if ImportJob.objects.filter(project=project, status="running").exists():
            return time.perf_counter() - started
        time.sleep(0.1)
    raise SystemExit("the worker did not take the queued import")


def writing_sessions(database_url: str) -> int:
    """The benchmark database's sessions inside a transaction that has written (holds an xid): imports
    whose rows are written but not committed."""
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    with psycopg.connect(database_url) as watcher:
        found = watcher.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND backend_xid IS NOT NULL "
            "AND pid <> pg_backend_pid()",
            [name],
        ).fetchone()
    return int(found[0]) if found else 0


def wait_writing(database_url: str, least: int, limit: float) -> int:
    """Wait (at most `limit` s) until `least` sessions hold uncommitted writes; how many do then."""
    started = time.perf_counter()
    found = writing_sessions(database_url)
    while found < least and time.perf_counter() - started < limit:
        time.sleep(0.05)
        found = writing_sessions(database_url)
    return found


def prepare(args: argparse.Namespace) -> dict[str, Any]:
    from stored_tara import bench_user, set_up

    os.environ.update(ENVIRONMENT)
    set_up(args.database_url)
    from opencsms.core.audit import correlation
    from opencsms.core.services import create_api_token
    from opencsms.engine.tara_as_code import dumps
    from opencsms.organisation import services as organisation_services
    from tara_scale import synthetic_model

    with correlation():
        person = bench_user()
        _, token = create_api_token(actor=person, name=f"kill-{RUN}")
        org = organisation_services.create_organisation(actor=person, name=f"Kill {RUN}")
        unit = organisation_services.create_business_unit(actor=person, organisation_id=org.pk, name="BU")
        sync = organisation_services.create_project(actor=person, business_unit_id=unit.pk, name="Sync")
        queued = organisation_services.create_project(actor=person, business_unit_id=unit.pk, name="Queued")
    tara = dumps(synthetic_model(args.threats)).encode()
    return {"token": token, "sync": sync, "queued": queued, "tara": tara,
            "sbom": sbom(args.components), "osv": advisories(args.advisories)}  # fmt: skip


def rows(site: dict[str, Any]) -> dict[str, tuple[int, int]]:
    """Per import (rows written, rows expected when whole)."""
    from opencsms.tara.models import Element, ImportJob, Tara
    from opencsms.vulns.models import Advisory, Release, ReleaseComponent

    sync, queued = site["sync"], site["queued"]
    components = ReleaseComponent.objects.filter(release__project=sync).count()
    jobs = ImportJob.objects.filter(project=queued)
    return {
        "TARA (synchronous)": (
            Tara.objects.filter(project=sync).count() + Element.objects.filter(tara__project=sync).count(),
            0,
        ),
        "SBOM release + components": (Release.objects.filter(project=sync).count() + components, 0),
        "advisories": (Advisory.objects.filter(advisory_id__startswith=f"KILL-{RUN}-").count(), 0),
        "queued TARA (worker)": (Tara.objects.filter(project=queued).count(), jobs.count()),
    }


def sends(site: dict[str, Any]) -> list[Send]:
    p_sync, p_queued = site["sync"].pk, site["queued"].pk
    return [
        ("TARA (synchronous)", f"/api/v1/projects/{p_sync}/taras", {}, "kill.tara.yaml", site["tara"]),
        ("SBOM release + components", f"/api/v1/projects/{p_sync}/releases",
         {"name": "ecu", "version": RUN}, "kill.cdx.json", site["sbom"]),
        ("advisories", f"/api/v1/projects/{p_sync}/advisories", {}, "kill.osv.json", site["osv"]),
        ("queued TARA (worker)", f"/api/v1/projects/{p_queued}/tara-imports", {}, "q.tara.yaml",
         site["tara"]),
    ]  # fmt: skip


def send_and_kill(site: dict[str, Any], args: argparse.Namespace, port: int, log: Path) -> dict[str, Any]:
    """Start the server and the worker, send the imports at once, SIGKILL everything mid-way."""
    processes = start(port, log)
    wait_answer(port)
    wait_log(log, "Starting worker", 1)  # the task worker too
    answers: dict[str, Any] = {}
    threads = [
        threading.Thread(target=post, args=(port, site["token"], send, answers)) for send in sends(site)
    ]
    for thread in threads:
        thread.start()
    took = wait_running(site["queued"])
    time.sleep(args.kill_after)
    writing = wait_writing(args.database_url, args.writing, 300)
    killed = kill_all(processes)
    killed_at = time.perf_counter()
    for thread in threads:
        thread.join()
    sizes = ", ".join(f"{key}: {len(content) / 1e6:.1f} MB" for key, _, _, _, content in sends(site)[:3])
    print(f"sent at once: {sizes}; queued TARA import: {len(site['tara']) / 1e6:.1f} MB")
    print(f"the worker took the queued import {took:.1f} s after the requests were sent; SIGKILL "
          f"{args.kill_after:.1f} s later to {killed} processes (gunicorn master and workers, task worker), "
          f"once {writing} database sessions held uncommitted writes")  # fmt: skip
    return {"answers": answers, "killed_at": killed_at}


def check_after_kill(site: dict[str, Any], answers: dict[str, Any]) -> bool:
    """Per import: all of it (answered) or nothing (killed); True when nothing is partial."""
    whole = True
    after = rows(site)
    for key, *_ in sends(site):
        status, seconds = answers[key]
        written, _ = after[key]
        state = "nothing written" if written == 0 else f"{written:,} rows"
        answered = f"answered {status} after {seconds:.1f} s" if status else "no answer (killed)"
        partial = key != "queued TARA (worker)" and status == 0 and written
        whole = whole and not partial
        print(f"  {key:28} {answered:32} {state}{'  PARTIAL' if partial else ''}")
    return whole


def restart_and_finish(site: dict[str, Any], port: int, log: Path, killed_at: float) -> None:
    """Start both again: the first answer, and the lost job swept and done."""
    from opencsms.tara.models import ImportJob

    running = ImportJob.objects.filter(project=site["queued"], status="running").count()
    processes = start(port, log)
    try:
        up = wait_answer(port)
        since = time.perf_counter() - killed_at
        print(f"restarted: first answer {up:.2f} s after the start ({since:.1f} s after the kill)")
        job = ImportJob.objects.filter(project=site["queued"]).first()
        status = "no job (its request was killed before it committed)"
        if job is not None:
            limit = time.perf_counter() + 600
            while job.status not in {"done", "failed"} and time.perf_counter() < limit:
                time.sleep(0.5)
                job.refresh_from_db()
            since = time.perf_counter() - killed_at
            status = f"job {job.status}, attempt {job.attempts}, {since:.1f} s after the kill"
        print(f"queued import: {running} job running when killed; after the restart: {status}")
    finally:
        for process in processes:
            process.terminate()
            try:
                process.wait(timeout=300)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threats", type=int, default=4000)
    parser.add_argument("--components", type=int, default=20000)
    parser.add_argument("--advisories", type=int, default=20000)
    parser.add_argument("--kill-after", type=float, default=4.0, help="seconds after the worker took its job")
    parser.add_argument("--writing", type=int, default=2, help="then: sessions with uncommitted writes")
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/wtfaults_load")
    args = parser.parse_args()
    (ROOT / "var/bench").mkdir(parents=True, exist_ok=True)
    site = prepare(args)
    from django.db import connection

    from opencsms.core.audit import verify_chain
    from opencsms.tara.models import ImportJob
    from web_load import _free_port

    connection.close()
    port, log = _free_port(), ROOT / "var/bench/server_kill.log"
    log.unlink(missing_ok=True)
    run = send_and_kill(site, args, port, log)
    whole = check_after_kill(site, run["answers"])
    problems = verify_chain()
    print(f"audit chain after the kill: {'verifies' if not problems else problems[:3]}")
    restart_and_finish(site, port, log, run["killed_at"])
    left = ImportJob.objects.filter(status="running").count()
    problems += verify_chain()
    ok = whole and not problems and left == 0
    chain = "verifies" if not problems else problems[:3]
    print(f"jobs left running: {left}; audit chain at the end: {chain}")
    print(f"nothing partial, chain intact, no job left running: {'yes' if ok else 'NO'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
