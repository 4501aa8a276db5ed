"""Advisory feeds over HTTP(S): CSAF ROLIE feeds, OSV ecosystem archives and the NVD CVE API 2.0.

ISO/SAE 21434 clause 8.3 (cybersecurity monitoring) collects vulnerability information continuously; these
functions fetch it when a network exists. The transport is injected (`fetch(url) -> bytes`), so the server
can add caching, proxies or credentials, and tests run against a local server; `http_fetch` is the default:
http and https only, a timeout, a size limit. CSAF documents are checked against the SHA-512 the feed links
when it links one. Parsing is the same as for files, so a synced advisory equals one read from disk.
"""

from __future__ import annotations

import hashlib
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from opencsms.engine.advisories import AdvisoryRead, parse_advisories
from opencsms.engine.advisories.model import Advisory
from opencsms.engine.advisories.nvd import parse_nvd
from opencsms.engine.errors import ParseError, Problem
from opencsms.engine.safeinput import MAX_BYTES, load_json, refuse, zip_members

Fetch = Callable[[str], bytes]
NVD_PAGE = 2000


def http_fetch(url: str, timeout: float = 30.0, max_bytes: int = MAX_BYTES) -> bytes:
    """GET `url` (http or https only) with a timeout, refusing bodies over `max_bytes`."""
    if urllib.parse.urlsplit(url).scheme not in {"http", "https"}:
        raise refuse(url, "url", "only http and https URLs are fetched")
    request = urllib.request.Request(url, headers={"User-Agent": "opencsms"})  # noqa: S310 - scheme checked
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - scheme checked
            body: bytes = response.read(max_bytes + 1)
    except OSError as exc:
        raise refuse(url, "http", str(exc)) from None
    if len(body) > max_bytes:
        raise refuse(url, "file-too-large", f"more than {max_bytes:,} bytes")
    return body


@dataclass(frozen=True)
class FeedEntry:
    """One document a ROLIE feed lists: where it is, when it changed, and its SHA-512 file if linked."""

    id: str
    url: str
    updated: str
    sha512_url: str = ""


def _link(entry: dict[str, Any], rel: str) -> str:
    return next((str(link.get("href", "")) for link in entry.get("link") or () if link.get("rel") == rel), "")


def rolie_entries(raw: bytes, file: str) -> list[FeedEntry]:
    """The entries of a CSAF ROLIE feed document (relative links resolved against `file`, the feed's URL)."""
    data = load_json(raw, file)
    feed = data.get("feed") if isinstance(data, dict) else None
    if not isinstance(feed, dict):
        raise refuse(file, "not-rolie", "a ROLIE feed is an object with a 'feed' object")
    entries = []
    for entry in feed.get("entry") or ():
        url = str((entry.get("content") or {}).get("src", "")) or _link(entry, "self")
        sha = _link(entry, "hash")
        entries.append(
            FeedEntry(
                str(entry.get("id", "")),
                urllib.parse.urljoin(file, url),
                str(entry.get("updated", "")),
                urllib.parse.urljoin(file, sha) if sha else "",
            )
        )
    return entries


def _checked(fetch: Fetch, entry: FeedEntry) -> bytes:
    raw = fetch(entry.url)
    if entry.sha512_url:
        expected = fetch(entry.sha512_url).decode("ascii", "replace").split()[0].lower()
        if hashlib.sha512(raw).hexdigest() != expected:
            raise refuse(entry.url, "hash-mismatch", "the document does not match the feed's SHA-512")
    return raw


def sync_rolie(feed_url: str, since: str = "", fetch: Fetch = http_fetch) -> AdvisoryRead:
    """The CSAF advisories of a ROLIE feed updated after `since` (ISO 8601; "" for all)."""
    advisories: list[Advisory] = []
    skipped: list[Problem] = []
    for entry in rolie_entries(fetch(feed_url), feed_url):
        if since and entry.updated <= since:
            continue
        try:
            advisories.extend(parse_advisories(_checked(fetch, entry), entry.url))
        except ParseError as exc:  # one bad document does not stop the feed; it is reported
            skipped.extend(exc.problems)
    return AdvisoryRead(tuple(advisories), tuple(skipped))


def sync_osv_archive(url: str, fetch: Fetch = http_fetch) -> AdvisoryRead:
    """An OSV ecosystem archive (e.g. .../Go/all.zip), with the zip-bomb limits of files."""
    advisories: list[Advisory] = []
    for name, raw in zip_members(fetch(url), url):
        if name.endswith(".json"):
            advisories.extend(parse_advisories(raw, name))
    return AdvisoryRead(tuple(advisories))


def sync_nvd(base_url: str, since: str = "", fetch: Fetch = http_fetch, page: int = NVD_PAGE) -> AdvisoryRead:
    """Every CVE of the NVD CVE API 2.0 modified since `since`, page by page (startIndex, resultsPerPage)."""
    advisories: list[Advisory] = []
    start, total = 0, 1
    while start < total:
        query: dict[str, str | int] = {"startIndex": start, "resultsPerPage": page}
        if since:
            query |= {"lastModStartDate": since, "lastModEndDate": "9999-12-31T23:59:59.999"}
        url = f"{base_url}?{urllib.parse.urlencode(query)}"
        data = load_json(fetch(url), url)
        found = parse_nvd(data, url)
        advisories.extend(found)
        total = int(data.get("totalResults", 0))
        if not found:
            break
        start += len(found)
    return AdvisoryRead(tuple(advisories))
