"""Incremental feeds: each sync reads only what changed since the cursor the previous sync left.

ISO/SAE 21434 8.3 asks for continuous monitoring; reading a whole feed on every scheduled run costs the feed
and the server for nothing, so each kind keeps a cursor (a small dict of strings the server stores per
source) and asks only for what is newer:

- NVD CVE API 2.0: `{"until": time}`; the next sync asks lastModStartDate=until .. now, in windows of at
  most 120 days (`feeds.sync_nvd`); the first one reads every CVE.
- OSV per-ecosystem archives (`<base>/<Ecosystem>/all.zip`): `{ecosystem: newest modified}`; the first sync
  of an ecosystem reads its all.zip, the next ones its `modified_id.csv` (newest first, "modified,id") and
  fetch only the records modified after the cursor (`<base>/<Ecosystem>/<id>.json`).
- CSAF 2.0 trusted provider (7.1.7 provider-metadata.json): its distributions' ROLIE feeds (7.1.15), each
  entry fetched only when its `updated` time is after the feed's cursor, and its SHA-512 checked when linked;
  a distribution without ROLIE feeds is read through its directory's changes.csv (7.1.13: "path","time",
  newest first). A ROLIE feed URL given directly is read the same way. Cursor: `{feed or directory: newest}`.
- CISA KEV (JSON) and FIRST EPSS (a daily gzip CSV) are whole catalogues of the day: fetched whole
  (`exploitation_bytes`) and the server replaces its copy.
The fetch is injected (`Fetch`), as in `feeds`: the server passes its outbound client.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from opencsms.engine.advisories import AdvisoryRead, parse_advisories
from opencsms.engine.advisories.feeds import (
    Fetch,
    checked_entry,
    moment,
    rolie_entries,
    sync_nvd,
    sync_osv_archive,
)
from opencsms.engine.advisories.model import Advisory
from opencsms.engine.errors import ParseError, Problem
from opencsms.engine.safeinput import csv_rows, gunzip, load_json, refuse
from opencsms.engine.yamlsafe import decode


@dataclass(frozen=True)
class FeedRead:
    """What an incremental read found, the documents it asked for, and where the next read starts."""

    advisories: tuple[Advisory, ...]
    cursor: dict[str, str]
    skipped: tuple[Problem, ...] = ()
    fetched: tuple[str, ...] = field(default=())

    @property
    def read(self) -> AdvisoryRead:
        return AdvisoryRead(self.advisories, self.skipped)


def newer(when: str, since: str) -> bool:
    """`when` is after `since` ("" is before everything; a time that cannot be read counts as new, so a
    record is fetched once too often rather than missed)."""
    if not since:
        return True
    try:
        return moment(when) > moment(since)
    except ValueError:
        return True


def _newest(times: Iterable[str], current: str) -> str:
    best = current
    for when in times:
        if when and newer(when, best):
            best = when
    return best


class _Collector:
    """Advisories and skipped documents of one read: a document that does not parse is reported, and the
    others are still read."""

    def __init__(self, fetch: Fetch) -> None:
        self.fetch = fetch
        self.advisories: list[Advisory] = []
        self.skipped: list[Problem] = []
        self.fetched: list[str] = []

    def document(self, url: str, raw: bytes | None = None) -> None:
        self.fetched.append(url)
        try:
            self.advisories.extend(parse_advisories(self.fetch(url) if raw is None else raw, url))
        except ParseError as exc:
            self.skipped.extend(exc.problems)

    def result(self, cursor: dict[str, str]) -> FeedRead:
        return FeedRead(tuple(self.advisories), cursor, tuple(self.skipped), tuple(self.fetched))


def sync_nvd_incremental(base_url: str, cursor: dict[str, str], now: datetime, fetch: Fetch) -> FeedRead:
    """The CVEs modified since the cursor's `until` (all of them the first time); the new cursor is `now`."""
    read = sync_nvd(base_url, since=cursor.get("until", ""), fetch=fetch, until=now)
    return FeedRead(read.advisories, {"until": now.isoformat()})


def _modified_ids(raw: bytes, url: str) -> list[tuple[str, str]]:
    """(modified, id) of an OSV `modified_id.csv`, in the file's order (newest first)."""
    rows = []
    for line in decode(raw, url).splitlines():
        when, _, identifier = line.strip().partition(",")
        if when and identifier:
            rows.append((when, identifier.strip()))
    return rows


def sync_osv_ecosystems(
    base: str, ecosystems: Iterable[str], cursor: dict[str, str], fetch: Fetch
) -> FeedRead:
    """The OSV records of each ecosystem changed since its cursor: all.zip the first time, then only the
    records `modified_id.csv` lists as modified later (read before the records, so nothing is missed)."""
    collector = _Collector(fetch)
    after = dict(cursor)
    for ecosystem in ecosystems:
        root = f"{base.rstrip('/')}/{urllib.parse.quote(ecosystem)}"
        changes = _modified_ids(fetch(f"{root}/modified_id.csv"), f"{root}/modified_id.csv")
        since = cursor.get(ecosystem, "")
        if not since:
            archive = sync_osv_archive(f"{root}/all.zip", fetch=fetch)
            collector.fetched.append(f"{root}/all.zip")
            collector.advisories.extend(archive.advisories)
        else:
            for when, identifier in changes:
                if not newer(when, since):
                    break  # newest first: the rest is older
                collector.document(f"{root}/{urllib.parse.quote(identifier)}.json")
        after[ecosystem] = _newest((when for when, _ in changes), since)
    return collector.result(after)


def _rolie(collector: _Collector, feed_url: str, raw: bytes, since: str) -> str:
    entries = rolie_entries(raw, feed_url)
    for entry in entries:
        if newer(entry.updated, since):
            collector.fetched.append(entry.url)
            try:
                raw = checked_entry(collector.fetch, entry)
                collector.advisories.extend(parse_advisories(raw, entry.url))
            except ParseError as exc:
                collector.skipped.extend(exc.problems)
    return _newest((e.updated for e in entries), since)


def _changes(collector: _Collector, directory: str, since: str) -> str:
    """The documents of a CSAF directory whose changes.csv time is after `since`; the newest time."""
    base = directory.rstrip("/") + "/"
    url = urllib.parse.urljoin(base, "changes.csv")
    _, rows = csv_rows(["path,time", *decode(collector.fetch(url), url).splitlines()], url)
    times = []
    for row in rows:
        path, when = row.get("path") or "", row.get("time") or ""
        times.append(when)
        if not newer(when, since):
            break  # newest first
        collector.document(urllib.parse.urljoin(base, path))
    return _newest(times, since)


def sync_csaf(url: str, cursor: dict[str, str], fetch: Fetch) -> FeedRead:
    """The CSAF advisories changed since the cursor, from a provider-metadata.json or one ROLIE feed."""
    raw = fetch(url)
    data = load_json(raw, url)
    collector = _Collector(fetch)
    after = dict(cursor)
    if isinstance(data, dict) and isinstance(data.get("feed"), dict):
        after[url] = _rolie(collector, url, raw, cursor.get(url, ""))
        return collector.result(after)
    distributions = data.get("distributions") if isinstance(data, dict) else None
    if not isinstance(distributions, list):
        raise refuse(url, "not-csaf-provider", "neither a ROLIE feed nor a CSAF provider-metadata.json")
    for distribution in distributions:
        feeds = [str(f.get("url", "")) for f in (distribution.get("rolie") or {}).get("feeds") or ()]
        for link in filter(None, feeds):
            feed = urllib.parse.urljoin(url, link)
            after[feed] = _rolie(collector, feed, fetch(feed), cursor.get(feed, ""))
        directory = str(distribution.get("directory_url", ""))
        if directory and not feeds:
            directory = urllib.parse.urljoin(url, directory)
            after[directory] = _changes(collector, directory, cursor.get(directory, ""))
    return collector.result(after)


def exploitation_bytes(url: str, fetch: Fetch) -> bytes:
    """A KEV or EPSS file as fetched, gunzipped when it is a gzip file (FIRST publishes EPSS as .csv.gz)."""
    raw = fetch(url)
    return gunzip(raw, url) if raw[:2] == b"\x1f\x8b" else raw
