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
from datetime import UTC, datetime, timedelta
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


def checked_entry(fetch: Fetch, entry: FeedEntry) -> bytes:
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
            advisories.extend(parse_advisories(checked_entry(fetch, entry), entry.url))
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


NVD_WINDOW = timedelta(days=120)  # the API refuses a lastMod range longer than 120 consecutive days


def moment(text: str) -> datetime:
    """An ISO 8601 time of a feed as an aware datetime (UTC when it names no offset)."""
    found = datetime.fromisoformat(text.strip())
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def nvd_stamp(when: datetime) -> str:
    """A time as the NVD API writes it (milliseconds and an explicit UTC offset)."""
    utc = when.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}+00:00"


def nvd_windows(since: datetime, until: datetime) -> list[tuple[datetime, datetime]]:
    """[since, until] cut into consecutive windows of at most 120 days (NVD CVE API 2.0's limit)."""
    windows = []
    start = since
    while start < until:
        end = min(start + NVD_WINDOW, until)
        windows.append((start, end))
        start = end
    return windows


def _nvd_pages(base_url: str, window: dict[str, str], fetch: Fetch, page: int) -> list[Advisory]:
    advisories: list[Advisory] = []
    start, total = 0, 1
    while start < total:
        query: dict[str, str | int] = {**window, "startIndex": start, "resultsPerPage": page}
        url = f"{base_url}?{urllib.parse.urlencode(query)}"
        data = load_json(fetch(url), url)
        found = parse_nvd(data, url)
        advisories.extend(found)
        total = int(data.get("totalResults", 0)) if isinstance(data, dict) else 0
        if not found:
            break
        start += len(found)
    return advisories


def sync_nvd(
    base_url: str,
    since: str = "",
    fetch: Fetch = http_fetch,
    page: int = NVD_PAGE,
    until: datetime | None = None,
) -> AdvisoryRead:
    """Every CVE of the NVD CVE API 2.0 (`since` "": all), or those modified from `since` to `until` (now by
    default), asked in windows of at most 120 days (lastModStartDate, lastModEndDate), each page by page
    (startIndex, resultsPerPage)."""
    if not since:
        return AdvisoryRead(tuple(_nvd_pages(base_url, {}, fetch, page)))
    try:
        start = moment(since)
    except ValueError:
        raise refuse(base_url, "since", f"{since!r} is not an ISO 8601 time") from None
    advisories: list[Advisory] = []
    for low, high in nvd_windows(start, until or datetime.now(UTC)):
        window = {"lastModStartDate": nvd_stamp(low), "lastModEndDate": nvd_stamp(high)}
        advisories.extend(_nvd_pages(base_url, window, fetch, page))
    return AdvisoryRead(tuple(advisories))
