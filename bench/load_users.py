"""The simulated users of `web_faults.py`: raw HTTP/1.1 over asyncio (one connection per request, as
gunicorn's sync workers close them), mixed reads, and edits with If-Match that retry each 409 after a fresh
GET. Every write goes into the `Ledger`; every answer into `Stats` with its time.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
from dataclasses import dataclass, field
from typing import Any

from write_ledger import Ledger, Write

Answer = tuple[int, dict[str, str], bytes]
RUN = os.urandom(4).hex()  # in every value written: no value (so no element version) repeats across runs


async def request(port: int, method: str, path: str, headers: dict[str, str], body: Any = None) -> Answer:
    """One request; status 0 when the connection failed or timed out."""
    try:
        return await asyncio.wait_for(_exchange(port, method, path, headers, body), timeout=30)
    except (OSError, TimeoutError, IndexError, ValueError):
        return 0, {}, b""


async def _exchange(port: int, method: str, path: str, headers: dict[str, str], body: Any) -> Answer:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    payload = b"" if body is None else json.dumps(body).encode()
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close",
             f"Content-Length: {len(payload)}", *(f"{k}: {v}" for k, v in headers.items())]  # fmt: skip
    if body is not None:
        lines.append("Content-Type: application/json")
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + payload)
    await writer.drain()
    raw = await reader.read()
    writer.close()
    head, _, content = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    found = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        found[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), found, content


@dataclass
class Stats:
    """Each answer: (time since the start, kind, status, milliseconds)."""

    started: float = field(default_factory=time.perf_counter)
    answers: list[tuple[float, str, int, float]] = field(default_factory=list)
    conflicts: int = 0
    messages_503: set[str] = field(default_factory=set)

    def add(self, kind: str, status: int, began: float, body: bytes = b"") -> None:
        now = time.perf_counter()
        self.answers.append((began - self.started, kind, status, (now - began) * 1000))
        if status == 503 and len(self.messages_503) < 3:
            self.messages_503.add(body.decode(errors="replace")[:160])


@dataclass
class Site:
    """What the users share: the server, credentials, what to read and what to edit."""

    port: int
    token: str
    session: str
    reads: list[tuple[str, str]]  # (path, "api" | "page")
    elements: list[str]  # API paths of threat scenarios
    findings: list[str]  # API paths of findings
    ledger: Ledger
    stats: Stats

    def headers(self, kind: str) -> dict[str, str]:
        if kind == "api":
            return {"Authorization": f"Bearer {self.token}"}
        return {"Cookie": f"sessionid={self.session}"}

    async def call(self, kind: str, method: str, path: str, auth: str = "api", **extra: Any) -> Answer:
        began = time.perf_counter()
        headers = {**self.headers(auth), **extra.pop("headers", {})}
        answer = await request(self.port, method, path, headers, extra.pop("body", None))
        self.stats.add(kind, answer[0], began, answer[2])
        return answer


def read_field(target: str, content: bytes, name: str) -> str | None:
    data = json.loads(content)
    value = data["data"].get(name) if "/elements/" in target else data.get(name)
    return None if value is None else str(value)


def field_of(target: str) -> str:
    return "description" if "/elements/" in target else "rationale"


def body_of(target: str, value: str) -> dict[str, Any]:
    return {"changes": {"description": value}} if "/elements/" in target else {"rationale": value}


async def edit(site: Site, target: str, value: str) -> None:
    """Set the target's field to `value` from a fresh GET, again after each 409; stop on anything else."""
    for _ in range(50):
        status, headers, _ = await site.call("read before edit", "GET", target)
        if status != 200:
            await asyncio.sleep(1)
            return
        base = headers["etag"].strip('"')
        status, headers, _content = await site.call(
            "edit", "PATCH", target, headers={"If-Match": f'"{base}"'}, body=body_of(target, value)
        )
        if status == 409:
            site.stats.conflicts += 1
            continue
        result = headers["etag"].strip('"') if status == 200 else None
        if status in {200, 0} or status >= 500:  # no answer or a 503: maybe applied
            site.ledger.record(Write(target, field_of(target), value, base, result))
        if status != 200:
            await asyncio.sleep(float(headers.get("retry-after", "1")))
        return


async def user(site: Site, number: int, until: float, seed: int) -> None:
    """Mostly reads; edits its own threat scenario and finding, one in five times a shared one (the first)."""
    rnd = random.Random(seed * 1000 + number)
    own_element = site.elements[1 + number % (len(site.elements) - 1)]
    own_finding = site.findings[1 + number % (len(site.findings) - 1)]
    count = 0
    while time.perf_counter() < until:
        roll = rnd.random()
        if roll < 0.6:
            path, auth = rnd.choice(site.reads)
            await site.call(f"read {auth}", "GET", path, auth)
            continue
        count += 1
        shared = rnd.random() < 0.2
        if roll < 0.85:
            target = site.elements[0] if shared else own_element
        else:
            target = site.findings[0] if shared else own_finding
        await edit(site, target, f"run {RUN} user {number} write {count}")
