"""Incremental feeds against the tests' local HTTP server: each sync asks only for what changed since the
cursor the previous one left (OSV modified_id.csv, CSAF ROLIE `updated` and changes.csv, NVD lastMod windows
of at most 120 days), and KEV / EPSS files are read whole (EPSS gunzipped within limits)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from opencsms.engine.advisories.feeds import http_fetch, nvd_windows, sync_nvd
from opencsms.engine.advisories.incremental import (
    exploitation_bytes,
    newer,
    sync_csaf,
    sync_nvd_incremental,
    sync_osv_ecosystems,
)
from opencsms.engine.errors import ParseError
from opencsms.engine.safeinput import gunzip
from tests.core.localhttp import Handler, local_server
from tests.factories.feeds import (
    csaf_directory,
    csaf_document,
    epss_gzip,
    nvd_api,
    nvd_record,
    osv_ecosystem,
    provider_metadata,
    rolie_feed,
    serve,
)
from tests.factories.vulns import epss_csv, osv


def _ids(read: object) -> list[str]:
    return sorted(a.id for a in read.advisories)  # type: ignore[attr-defined]


def test_osv_reads_the_archive_once_then_only_what_modified_id_lists_as_newer() -> None:
    old = osv("GO-1", "example.com/a", ecosystem="Go", modified="2026-01-01T00:00:00Z")
    with local_server() as base:
        osv_ecosystem("Go", [old], [old])
        osv_ecosystem("PyPI", [], [])
        first = sync_osv_ecosystems(f"{base}/files/osv", ["Go", "PyPI"], {}, http_fetch)
        assert _ids(first) == ["GO-1"]
        assert first.cursor == {"Go": "2026-01-01T00:00:00Z", "PyPI": ""}
        changed = osv("GO-1", "example.com/a", ecosystem="Go", modified="2026-02-01T00:00:00.5Z")
        new = osv("GO-2", "example.com/b", ecosystem="Go", modified="2026-02-02T00:00:00Z")
        osv_ecosystem("Go", [new, changed], [new, changed])
        Handler.hits.clear()
        second = sync_osv_ecosystems(f"{base}/files/osv", ["Go", "PyPI"], first.cursor, http_fetch)
        assert _ids(second) == ["GO-1", "GO-2"]
        assert second.cursor["Go"] == "2026-02-02T00:00:00Z"
        assert sorted(Handler.hits) == [
            "/files/osv/Go/GO-1.json",
            "/files/osv/Go/GO-2.json",
            "/files/osv/Go/modified_id.csv",
            "/files/osv/PyPI/all.zip",  # PyPI had nothing yet: it is still read whole
            "/files/osv/PyPI/modified_id.csv",
        ]
        Handler.hits.clear()
        third = sync_osv_ecosystems(f"{base}/files/osv", ["Go"], second.cursor, http_fetch)
        assert (third.advisories, Handler.hits) == ((), ["/files/osv/Go/modified_id.csv"])


def test_csaf_provider_metadata_reads_rolie_entries_and_changes_csv_newer_than_the_cursor() -> None:
    with local_server() as base:
        a = csaf_document("CVE-2026-0001", "EX-1")
        b = csaf_document("CVE-2026-0002", "EX-2")
        rolie_feed("csaf/clear/feed.json", {"a.json": (a, "2026-01-01T00:00:00Z")})
        csaf_directory("csaf/dir", {"2026/b.json": (b, "2026-01-05T00:00:00Z")})
        provider_metadata(base, feeds=("csaf/clear/feed.json",), directories=("csaf/dir",))
        url = f"{base}/files/csaf/provider-metadata.json"
        first = sync_csaf(url, {}, http_fetch)
        assert _ids(first) == ["CVE-2026-0001", "CVE-2026-0002"]
        feed, folder = f"{base}/files/csaf/clear/feed.json", f"{base}/files/csaf/dir/"
        assert first.cursor == {feed: "2026-01-01T00:00:00Z", folder: "2026-01-05T00:00:00Z"}
        c = csaf_document("CVE-2026-0003", "EX-3")
        rolie_feed(
            "csaf/clear/feed.json",
            {"a.json": (a, "2026-01-01T00:00:00Z"), "c.json": (c, "2026-03-01T00:00:00Z")},
        )
        Handler.hits.clear()
        second = sync_csaf(url, first.cursor, http_fetch)
        assert _ids(second) == ["CVE-2026-0003"]
        assert second.fetched == (f"{base}/files/csaf/clear/c.json",)  # a.json and b.json are not asked again
        assert "/files/csaf/clear/a.json" not in Handler.hits
        assert second.cursor[feed] == "2026-03-01T00:00:00Z"


def test_a_rolie_feed_given_directly_and_a_bad_document_reported_not_fatal() -> None:
    with local_server() as base:
        good = csaf_document("CVE-2026-0004", "EX-4")
        rolie_feed(
            "feed.json",
            {"good.json": (good, "2026-01-02T00:00:00Z"), "bad.json": (b"{}", "2026-01-03T00:00:00Z")},
        )
        read = sync_csaf(f"{base}/files/feed.json", {}, http_fetch)
        assert _ids(read) == ["CVE-2026-0004"]
        assert [p.rule for p in read.skipped] == ["not-an-advisory"]
        serve("other.json", b'{"something": 1}')
        with pytest.raises(ParseError, match="not-csaf-provider"):
            sync_csaf(f"{base}/files/other.json", {}, http_fetch)


def test_nvd_asks_lastmod_windows_of_at_most_120_days_and_pages() -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    with local_server() as base:
        api = nvd_api(
            [
                nvd_record("CVE-2026-1", "2026-03-01T00:00:00.000"),
                nvd_record("CVE-2026-2", "2026-11-01T00:00:00.000"),
            ]
        )
        first = sync_nvd_incremental(f"{base}/nvd", {}, now, http_fetch)
        assert _ids(first) == ["CVE-2026-1", "CVE-2026-2"]
        assert first.cursor == {"until": now.isoformat()}
        assert "lastModStartDate" not in api.queries[0]  # the first sync reads every CVE
        api.queries.clear()
        since = {"until": (now - timedelta(days=200)).isoformat()}
        later = sync_nvd_incremental(f"{base}/nvd", since, now, http_fetch)
        assert _ids(later) == ["CVE-2026-2"]
        starts = [q["lastModStartDate"] for q in api.queries]
        assert starts == ["2026-05-15T00:00:00.000+00:00", "2026-09-12T00:00:00.000+00:00"]
        assert api.queries[-1]["lastModEndDate"] == "2026-12-01T00:00:00.000+00:00"
        api.queries.clear()
        paged = sync_nvd(f"{base}/nvd", fetch=http_fetch, page=1)
        assert len(paged.advisories) == 2
        assert [q["startIndex"] for q in api.queries] == ["0", "1"]


def test_nvd_windows_cover_the_range_without_gaps() -> None:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    windows = nvd_windows(start, start + timedelta(days=250))
    assert [(b - a).days for a, b in windows] == [120, 120, 10]
    assert all(windows[i][1] == windows[i + 1][0] for i in range(len(windows) - 1))
    assert nvd_windows(start, start) == []


def test_kev_and_epss_are_fetched_whole_and_epss_gunzipped() -> None:
    with local_server() as base:
        csv = epss_csv(CVE_2026_1=0.5)
        serve("epss.csv.gz", epss_gzip(csv))
        serve("kev.json", b'{"vulnerabilities": []}')
        assert exploitation_bytes(f"{base}/files/epss.csv.gz", http_fetch) == csv
        assert exploitation_bytes(f"{base}/files/kev.json", http_fetch) == b'{"vulnerabilities": []}'


def test_gunzip_refuses_a_bomb_and_garbage() -> None:
    with pytest.raises(ParseError, match="gzip-bomb"):
        gunzip(epss_gzip(b"0" * 10_000), "e.gz", max_bytes=1000)
    with pytest.raises(ParseError, match="gzip"):
        gunzip(b"\x1f\x8bnot gzip", "e.gz")


def test_newer_compares_times_not_strings() -> None:
    assert newer("2026-01-01T00:00:00.5Z", "2026-01-01T00:00:00Z")  # as strings, '.' sorts before 'Z'
    assert not newer("2026-01-01T01:00:00+01:00", "2026-01-01T00:00:00Z")  # the same moment
    assert newer("yesterday", "2026-01-01T00:00:00Z")  # unreadable: fetched rather than missed
    assert newer("2020-01-01T00:00:00Z", "")
