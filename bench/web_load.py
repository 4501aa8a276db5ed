"""Benchmark: the web application under load on a project with 20,000 threat scenarios.

    python bench/web_load.py                         # SQLite file under var/bench, 20 clients, 30 s
    python bench/web_load.py --database-url postgresql://postgres@127.0.0.1:5432/bench
    python bench/web_load.py --threats 2000 --seconds 10 --clients 20

It builds the database once (migrate, a project, the synthetic TARA of `tara_scale.py` imported through
the service, an API token and a session), starts gunicorn (`opencsms server serve`'s command) on a free
port, then runs `--clients` concurrent clients (asyncio, one thread) for `--seconds`, each cycling over
the main list pages and API endpoints. It prints per endpoint and overall: requests, errors,
p50/p95/p99 in ms.
Target (issue 4): p95 <= 200 ms and no errors with 20 clients. The clients run in this process's one
event loop on the same machine, so they take some CPU from the server: the figures are an upper bound.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _prepare(database_url: str, threats: int) -> dict[str, str]:
    """Set up the database and return the ids, token and session cookie the clients use."""
    from stored_tara import bench_user, set_up, stored_tara

    set_up(database_url)
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection

    from opencsms.core.audit import correlation
    from opencsms.core.services import create_api_token
    from opencsms.tara import services as tara_services
    from opencsms.tara import working

    with correlation():
        tara, user = stored_tara(threats), bench_user()
        _, token = create_api_token(actor=user, name=f"bench-{time.time_ns()}")
        working.forget()  # as in a new process
        started = time.perf_counter()
        tara_services.update_element(
            actor=user,
            tara_id=tara.pk,
            kind="damage_scenarios",
            ref="DS-1",
            changes={"description": str(started)},
        )
        print(f"the process's first edit (the whole TARA read and evaluated once; later edits are "
              f"incremental, see tara_edit.py): {time.perf_counter() - started:.1f} s")  # fmt: skip
    if connection.vendor == "postgresql":  # what autovacuum does soon after a bulk import: fresh statistics
        connection.cursor().execute("VACUUM ANALYZE")  # and a visibility map for index-only counts
    session = SessionStore()
    session[SESSION_KEY], session[BACKEND_SESSION_KEY] = (
        str(user.pk),
        "django.contrib.auth.backends.ModelBackend",
    )
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return {
        "tara": str(tara.pk),
        "project": str(tara.project_id),
        "token": token,
        "session": session.session_key or "",
    }


def _endpoints(ids: dict[str, str]) -> dict[str, tuple[str, str]]:
    """name -> (path, auth kind): `api` uses the token, `page` the session cookie."""
    t = ids["tara"]
    elements = f"/api/v1/taras/{t}/elements/threat_scenarios"
    return {
        "api threat list, page 1": (f"{elements}?limit=50", "api"),
        "api threat list, by risk": (f"{elements}?limit=50&sort=-risk", "api"),
        "api threat list, filtered": (f"{elements}?limit=50&q=TS-19&risk_min=3", "api"),
        "api threat list, page 200": (f"{elements}?limit=50&offset=10000", "api"),
        "api tara": (f"/api/v1/taras/{t}", "api"),
        "api project taras": (f"/api/v1/projects/{ids['project']}/taras", "api"),
        **{name: (path.format(**ids), "page") for name, path in PAGES.items()},
    }


PAGES: dict[str, str] = {  # web pages (the session cookie): name -> path with {tara} / {project}
    "page dashboard": "/",
    "page project TARAs (htmx)": "/projects/{project}/taras/",
    "page TARA overview": "/taras/{tara}/",
    "page threat list": "/taras/{tara}/threat_scenarios/",
    "page threat list, by risk": "/taras/{tara}/threat_scenarios/?sort=-risk&page=3",
    "page threat list, filtered": "/taras/{tara}/threat_scenarios/?q=TS-19&risk_min=3",
}


async def _get(host: str, port: int, path: str, headers: dict[str, str]) -> int:
    """One GET on a new connection (gunicorn's sync workers close it after each response)."""
    reader, writer = await asyncio.open_connection(host, port)
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
    await writer.drain()
    status_line = await reader.readline()
    await reader.read()  # the rest of the response, until the server closes
    writer.close()
    return int(status_line.split()[1])


@dataclass
class Load:
    """What the clients share: where to go, how to authenticate, and what they measured."""

    port: int
    endpoints: list[tuple[str, str, str]]  # (name, path, auth kind)
    ids: dict[str, str]
    results: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)

    def headers(self, kind: str) -> dict[str, str]:
        if kind == "api":
            return {"Authorization": f"Bearer {self.ids['token']}"}
        return {"Cookie": f"sessionid={self.ids['session']}"}


async def _client(load: Load, until: float, offset: int) -> None:
    index = offset
    while time.perf_counter() < until:
        name, path, kind = load.endpoints[index % len(load.endpoints)]
        index += 1
        started = time.perf_counter()
        try:
            status = await asyncio.wait_for(
                _get("127.0.0.1", load.port, path, load.headers(kind)), timeout=30
            )
        except (OSError, TimeoutError, IndexError, ValueError):
            status = 0
        if status == 200:
            load.results.setdefault(name, []).append((time.perf_counter() - started) * 1000)
        else:
            load.errors[name] = load.errors.get(name, 0) + 1


async def _run(load: Load, clients: int, seconds: float) -> None:
    until = time.perf_counter() + seconds
    await asyncio.gather(*(_client(load, until, i) for i in range(clients)))


def _percentiles(values: list[float]) -> str:
    if len(values) < 2:
        return "n/a"
    q = statistics.quantiles(values, n=100)
    return f"{q[49]:7.1f} {q[94]:7.1f} {q[98]:7.1f}"


def _serve(port: int, workers: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    from opencsms.cli.server import gunicorn_command

    command = [
        *gunicorn_command(host="127.0.0.1", port=port, workers=workers),
        "--access-logfile",
        "/dev/null",
    ]
    server = subprocess.Popen(command, env=env, cwd=ROOT)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("gunicorn did not start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threats", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="gunicorn workers")
    parser.add_argument("--database-url", default=f"sqlite:///{ROOT}/var/bench/web_load.sqlite3")
    args = parser.parse_args()
    ids = _prepare(args.database_url, args.threats)
    port = _free_port()
    server = _serve(port, args.workers, dict(os.environ))  # the environment `set_up` configured
    load = Load(port, [(name, path, kind) for name, (path, kind) in _endpoints(ids).items()], ids)
    try:
        asyncio.run(_run(load, args.clients, args.seconds))
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"{args.clients} clients, {args.seconds:.0f} s, {args.workers} gunicorn workers, "
          f"{args.threats:,} threat scenarios, {args.database_url.split(':')[0]}")  # fmt: skip
    print(f"{'endpoint':34} {'requests':>8} {'errors':>6}   {'p50':>7} {'p95':>7} {'p99':>7} (ms)")
    for name, _, _ in load.endpoints:
        values = load.results.get(name, [])
        print(f"{name:34} {len(values):8d} {load.errors.get(name, 0):6d}   {_percentiles(values)}")
    every = [v for values in load.results.values() for v in values]
    total_errors = sum(load.errors.values())
    print(f"{'all':34} {len(every):8d} {total_errors:6d}   {_percentiles(every)}   "
          f"{len(every) / args.seconds:.0f} requests/s")  # fmt: skip
    p95 = statistics.quantiles(every, n=100)[94] if len(every) > 1 else float("inf")
    met = p95 <= 200 and total_errors == 0
    print(f"target p95 <= 200 ms and no errors: {'met' if met else 'MISSED'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
