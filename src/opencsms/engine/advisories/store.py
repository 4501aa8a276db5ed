"""A compact local advisory index: one SQLite file of normalised advisories keyed by package.

`write_index(advisories, path)` stores each advisory once as JSON and files it under every (type, namespace,
name) it names; `AdvisoryStore(path).advisories_for(keys)` reads only the advisories a scan's components can
match, so a scan of one SBOM reads a few rows instead of the whole feed. Loading executes nothing from the
file (no pickle): rows are JSON, rebuilt into frozen dataclasses field by field.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from opencsms.engine.advisories.model import Advisory, Affected, Event, Range, RangeKind, Severity
from opencsms.engine.safeinput import refuse

FORMAT = "opencsms-advisory-index/2"
_SCHEMA = """
CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE advisory (id TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE package (type TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL,
                      advisory TEXT NOT NULL);
CREATE INDEX package_key ON package (type, namespace, name);
CREATE TABLE alias (name TEXT NOT NULL, advisory TEXT NOT NULL);
CREATE INDEX alias_name ON alias (name);
"""


def advisory_from_dict(data: dict[str, Any]) -> Advisory:
    """Rebuild an `Advisory` from the dictionary `dataclasses.asdict` made of it."""
    affected = tuple(
        Affected(
            a["purl_type"],
            a["namespace"],
            a["name"],
            tuple(
                Range(
                    RangeKind(r["kind"]),
                    tuple(Event(e["kind"], e["version"]) for e in r["events"]),
                    r["repo"],
                )
                for r in a["ranges"]
            ),
            tuple(a["versions"]),
            a["cpe"],
            a["ecosystem"],
            a["condition"],
        )
        for a in data["affected"]
    )
    return Advisory(
        data["id"],
        data["source"],
        tuple(data["aliases"]),
        data["summary"],
        data["published"],
        data["modified"],
        data["withdrawn"],
        tuple(Severity(s["kind"], s["vector"], s["score"]) for s in data["severities"]),
        affected,
        tuple(data["remediations"]),
        data.get("document", ""),
        tuple(data.get("problems", ())),
    )


def _row_id(advisory: Advisory) -> str:
    """One row per record: the same CVE from NVD and from two CSAF documents is three rows."""
    return f"{advisory.origin}:{advisory.id}"


def write_index(advisories: Iterable[Advisory], path: Path) -> int:
    """Write the index file (replacing `path`); returns how many advisories it stored (not withdrawn ones)."""
    path.unlink(missing_ok=True)
    connection = sqlite3.connect(path)
    count = 0
    try:
        with connection:
            connection.executescript(_SCHEMA)
            connection.execute("INSERT INTO meta VALUES ('format', ?)", (FORMAT,))
            for advisory in advisories:
                if advisory.withdrawn:
                    continue
                inserted = connection.execute(
                    "INSERT OR IGNORE INTO advisory VALUES (?, ?)",
                    (_row_id(advisory), json.dumps(asdict(advisory), separators=(",", ":"))),
                )
                count += inserted.rowcount
                keys = {a.key for a in advisory.affected if a.name}
                connection.executemany(
                    "INSERT INTO package VALUES (?, ?, ?, ?)",
                    [(*k, _row_id(advisory)) for k in keys],
                )
                connection.executemany(
                    "INSERT INTO alias VALUES (?, ?)", [(i, _row_id(advisory)) for i in advisory.ids]
                )
        connection.execute("VACUUM")
    finally:
        connection.close()
    return count


class AdvisoryStore:
    """A read-only view of an index file."""

    def __init__(self, path: Path) -> None:
        if not path.is_file():
            raise refuse(str(path), "unreadable", "no such index file")
        self.path = path
        self.connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = self.connection.execute("SELECT value FROM meta WHERE name = 'format'").fetchone()
        except sqlite3.DatabaseError:
            row = None
        if row is None or row[0] != FORMAT:
            self.connection.close()
            raise refuse(
                str(path), "not-an-index", f"not an {FORMAT} file; build one with `vulns index build`"
            )

    def advisories_for(self, keys: Iterable[tuple[str, str, str]]) -> list[Advisory]:
        """The advisories filed under any of `keys` (each advisory once)."""
        rows: set[str] = set()
        for key in set(keys):
            rows.update(
                r[0]
                for r in self.connection.execute(
                    "SELECT advisory FROM package WHERE type = ? AND namespace = ? AND name = ?", key
                )
            )
        return self._load(rows)

    def advisories_sharing_ids(self, advisories: Iterable[Advisory]) -> list[Advisory]:
        """Other advisories with an id or alias in common (the NVD record of a Go advisory's CVE)."""
        have = {_row_id(a) for a in advisories}
        ids = {i for a in advisories for i in a.ids}
        rows: set[str] = set()
        for identifier in ids:
            rows.update(
                r[0]
                for r in self.connection.execute("SELECT advisory FROM alias WHERE name = ?", (identifier,))
            )
        return self._load(rows - have)

    def _load(self, rows: set[str]) -> list[Advisory]:
        advisories = []
        for row in sorted(rows):
            (body,) = self.connection.execute("SELECT body FROM advisory WHERE id = ?", (row,)).fetchone()
            advisories.append(advisory_from_dict(json.loads(body)))
        return advisories

    def close(self) -> None:
        """Release the file."""
        self.connection.close()
