"""Benchmark: the web application under load with concurrent edits and a database outage; no lost update.

    python bench/web_faults.py                                  # 50 users, 600 s, outage at 1/3 for 5 s
    python bench/web_faults.py --users 20 --seconds 60          # a shorter run on a shared machine
    python bench/web_faults.py --database-url postgresql://postgres@127.0.0.1:5432/wtload_bench

It loads the demo data (`opencsms server demo`'s: the Connected EV TARA, two releases with findings) into
the PostgreSQL database (migrated first; the database must exist), starts gunicorn (`opencsms server
serve`'s command; its log in var/bench/web_faults.server.log), then runs `--users` users (asyncio, this
process) for `--seconds`: 60 % reads (pages with the session cookie, API with a token), 25 % edits of a threat
scenario's description, 15 % triage of a finding's rationale, each edit a GET then a PATCH with If-Match,
again after every 409; each user edits its own threat scenario and finding, and one edit in five the
shared first ones. At `--outage-at` of the run the database is cut off for `--outage-seconds`: new
connections refused (`ALTER DATABASE ... ALLOW_CONNECTIONS false`) and the server's connections
terminated (`pg_terminate_backend`), then allowed again; the machine's PostgreSQL server itself is not
touched. At the end every edited field is read back and checked against the acknowledged writes
(`write_ledger.py`). Printed: requests, p50/p95/p99 per kind, statuses, 409s retried, 503s during the outage,
unexpected errors (any 5xx outside it, any 500, any 4xx other than 409), lost updates, recovery time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from load_users import Site, Stats, read_field, request, user  # noqa: E402
from write_ledger import Ledger  # noqa: E402


def prepare(database_url: str) -> dict[str, object]:
    """The demo data, a token and a session of the benchmarks' superuser, and the paths to read and edit."""
    from stored_tara import bench_user, set_up

    set_up(database_url)
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection

    from opencsms.cli.server import load_demo_data
    from opencsms.core.audit import correlation
    from opencsms.core.services import create_api_token
    from opencsms.tara.models import Element
    from opencsms.vulns.models import Finding

    os.chdir(ROOT)
    demo, tara, _ = load_demo_data(Path("examples/connected-ev.tara.yaml"), Path("examples/vulns"))
    with correlation():
        person = bench_user()
        _, token = create_api_token(actor=person, name=f"faults-{time.time_ns()}")
    session = SessionStore()
    session[SESSION_KEY], session[BACKEND_SESSION_KEY] = (
        str(person.pk),
        "django.contrib.auth.backends.ModelBackend",
    )
    session[HASH_SESSION_KEY] = person.get_session_auth_hash()
    session.create()
    refs = Element.objects.filter(tara=tara, kind="threat_scenarios").order_by("position")
    findings = Finding.objects.filter(release__project_id=tara.project_id).order_by("pk")
    t, p = tara.pk, tara.project_id
    elements = [
        f"/api/v1/taras/{t}/elements/threat_scenarios/{ref}" for ref in refs.values_list("ref", flat=True)
    ]
    finding_paths = [f"/api/v1/findings/{pk}" for pk in findings.values_list("pk", flat=True)]
    reads = [(f"/api/v1/taras/{t}/elements/threat_scenarios?limit=50", "api"), (f"/api/v1/taras/{t}", "api"),
             (finding_paths[0], "api"), (elements[0], "api"), (f"/api/v1/projects/{p}/taras", "api"),
             ("/", "page"), (f"/taras/{t}/", "page"), (f"/taras/{t}/threat_scenarios/", "page"),
             (f"/projects/{p}/taras/", "page"), ("/findings/", "page")]  # fmt: skip
    connection.close()
    print(f"demo data: {demo.project}, {len(elements)} threat scenarios, {len(finding_paths)} findings")
    return {"token": token, "session": session.session_key, "reads": reads,
            "elements": elements, "findings": finding_paths}  # fmt: skip


def serve(port: int, workers: int) -> subprocess.Popen[bytes]:
    from opencsms.cli.server import gunicorn_command

    log = (ROOT / "var/bench/web_faults.server.log").open("wb")
    command = [
        *gunicorn_command(host="127.0.0.1", port=port, workers=workers),
        "--access-logfile",
        "/dev/null",
    ]
    server = subprocess.Popen(command, env=dict(os.environ), cwd=ROOT, stdout=log, stderr=log)
    for _ in range(100):
        if asyncio.run(request(port, "GET", "/api/v1/openapi.json", {}))[0] != 0:  # any answer
            return server
        time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def _admin(database_url: str, *statements: str) -> None:
    """Run statements on the server's maintenance database (not the benchmark's, which they cut off)."""
    import psycopg

    with psycopg.connect(database_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        for statement in statements:
            admin.execute(statement)


async def outage(database_url: str, at: float, seconds: float, stats: Stats, marks: dict[str, float]) -> None:
    name = database_url.rsplit("/", 1)[1]
    await asyncio.sleep(at)
    marks["down"] = time.perf_counter() - stats.started
    cut = (
        f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false',
        f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'",  # noqa: S608
    )
    try:
        await asyncio.to_thread(_admin, database_url, *cut)
        await asyncio.sleep(seconds)
    finally:  # also when the run is interrupted: never leave the database refusing connections
        _admin(database_url, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
    marks["up"] = time.perf_counter() - stats.started


async def run(site: Site, args: argparse.Namespace, marks: dict[str, float]) -> None:
    for target in site.elements + site.findings:
        _, headers, _ = await site.call("setup", "GET", target)
        site.ledger.start(target, headers["etag"].strip('"'))
    site.stats.answers.clear()
    site.stats.started = time.perf_counter()
    until = site.stats.started + args.seconds
    jobs = [user(site, n, until, args.seed) for n in range(args.users)]
    if args.outage_seconds > 0:
        at = args.seconds * args.outage_at
        jobs.append(outage(args.database_url, at, args.outage_seconds, site.stats, marks))
    await asyncio.gather(*jobs)


async def final_values(site: Site) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for target in site.elements + site.findings:
        status, _, content = await request(site.port, "GET", target, site.headers("api"))
        assert status == 200, (target, status)
        name = "description" if "/elements/" in target else "rationale"
        found[target] = {name: read_field(target, content, name) or ""}
    return found


def _p(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else float("nan")


def report(
    site: Site, args: argparse.Namespace, marks: dict[str, float], final: dict[str, dict[str, str]]
) -> None:
    answers = site.stats.answers
    print(f"{args.users} users, {args.seconds:.0f} s, {args.workers} gunicorn workers, PostgreSQL")
    print(f"{'kind':18} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  statuses")
    for kind in sorted({a[1] for a in answers}):
        rows = [a for a in answers if a[1] == kind]
        ok = [a[3] for a in rows if a[2] in (200, 201)]
        print(
            f"{kind:18} {len(rows):8d} {_p(ok, 50):8.1f} {_p(ok, 95):8.1f} {_p(ok, 99):8.1f}  "
            f"{dict(Counter(a[2] for a in rows))}"
        )
    ok_all = [a[3] for a in answers if a[2] in (200, 201)]
    print(
        f"{'all':18} {len(answers):8d} {_p(ok_all, 50):8.1f} {_p(ok_all, 95):8.1f} {_p(ok_all, 99):8.1f}  "
        f"{len(answers) / args.seconds:.0f} requests/s; "
        f"409s retried after a fresh GET: {site.stats.conflicts}"
    )
    window = (marks.get("down", -1.0), marks.get("up", -1.0) + 30)  # the outage and 30 s after it

    def within(a: tuple[float, str, int, float]) -> bool:  # answered then (queued before it began, too)
        return window[0] <= a[0] + a[3] / 1000 <= window[1]

    during = [a for a in answers if within(a)]
    outside = [a for a in answers if not within(a)]
    unexpected = [a for a in answers if a[2] == 500 or (400 <= a[2] < 500 and a[2] != 409)]
    unexpected += [a for a in outside if a[2] >= 500 or a[2] == 0]
    if marks:
        up = marks["up"]
        failed_after = [a[0] for a in answers if a[0] >= up and a[2] in (0, 503)]
        first_ok = min(
            (a[0] + a[3] / 1000 for a in answers if a[0] >= up and a[2] == 200), default=float("nan")
        )
        print(
            f"outage: {marks['down']:.1f}-{up:.1f} s; during it and 30 s after: {len(during)} answers, "
            f"{sum(a[2] == 503 for a in during)} x 503, {sum(a[2] == 0 for a in during)} without an answer, "
            f"{sum(a[2] == 500 for a in during)} x 500"
        )
        last = f"the last started {max(failed_after) - up:.2f} s after" if failed_after else "none after"
        print(
            f"recovery: first 200 {first_ok - up:.2f} s after the database allowed connections again; "
            f"503s or unanswered requests: {last}"
        )
        print(f"503 answers say: {sorted(site.stats.messages_503)[:1]}")
    verdict = site.ledger.verify(final)
    print(
        f"writes acknowledged: {verdict.acknowledged} on {verdict.targets} targets; "
        f"unsure writes found applied: {verdict.unsure_applied}"
    )
    print(f"lost updates: {len(verdict.lost)}  {verdict.lost[:5]}")
    print(f"unexpected errors: {len(unexpected)}  {dict(Counter((a[1], a[2]) for a in unexpected))}")
    met = not verdict.lost and not unexpected
    print(f"target 0 lost updates and 0 unexpected errors: {'met' if met else 'MISSED'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="gunicorn workers")
    parser.add_argument("--outage-at", type=float, default=1 / 3, help="when, as a fraction of the run")
    parser.add_argument("--outage-seconds", type=float, default=5, help="0: no outage")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/wtload_bench")
    args = parser.parse_args()
    (ROOT / "var/bench").mkdir(parents=True, exist_ok=True)
    ids = prepare(args.database_url)
    from web_load import _free_port

    port = _free_port()
    server = serve(port, args.workers)
    site = Site(port, str(ids["token"]), str(ids["session"]), ids["reads"], ids["elements"],  # type: ignore[arg-type]
                ids["findings"], Ledger(), Stats())  # type: ignore[arg-type]  # fmt: skip
    marks: dict[str, float] = {}
    try:
        asyncio.run(run(site, args, marks))
        final = asyncio.run(final_values(site))
    finally:
        server.terminate()
        server.wait(timeout=30)
    report(site, args, marks, final)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
