"""HTTP sync against a local server on 127.0.0.1 (ROLIE with SHA-512, OSV archive, NVD API pages)."""

from __future__ import annotations

import hashlib
import io
import json
import threading
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from opencsms.engine.advisories.feeds import http_fetch, rolie_entries, sync_nvd, sync_osv_archive, sync_rolie
from opencsms.engine.errors import ParseError
from tests.paths import GOLDEN

INPUTS = GOLDEN / "vulns" / "inputs"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class names it so
        return


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A static file server on 127.0.0.1 (an ephemeral port), serving tmp_path; stopped after the test."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(tmp_path)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", tmp_path
    finally:
        httpd.shutdown()
        httpd.server_close()


def _feed(root: Path, documents: dict[str, bytes], hashes: dict[str, str]) -> None:
    entries = []
    for name, raw in documents.items():
        (root / name).write_bytes(raw)
        (root / f"{name}.sha512").write_text(
            hashes.get(name, hashlib.sha512(raw).hexdigest()) + f"  {name}\n"
        )
        entries.append(
            {
                "id": name,
                "updated": f"2021-0{len(entries) + 1}-01T00:00:00Z",
                "link": [{"rel": "self", "href": name}, {"rel": "hash", "href": f"{name}.sha512"}],
                "content": {"src": name},
            }
        )
    (root / "feed.json").write_text(json.dumps({"feed": {"id": "f", "entry": entries}}))


def test_rolie_sync_checks_hashes_and_since(server: tuple[str, Path]) -> None:
    base, root = server
    csaf = (INPUTS / "csaf-icsa-20-098-05.json").read_bytes()
    _feed(root, {"a.json": csaf, "b.json": csaf}, {"b.json": "0" * 128})
    read = sync_rolie(f"{base}/feed.json")
    assert [a.id for a in read.advisories] == ["CVE-2020-10635"]
    assert [p.rule for p in read.skipped] == ["hash-mismatch"]
    assert sync_rolie(f"{base}/feed.json", since="2021-01-15T00:00:00Z").advisories == ()


def test_rolie_entries_resolve_relative_links() -> None:
    feed = json.dumps({"feed": {"entry": [{"id": "x", "content": {"src": "2020/x.json"}}]}}).encode()
    (entry,) = rolie_entries(feed, "https://psirt.example/csaf/feed.json")
    assert entry.url == "https://psirt.example/csaf/2020/x.json"


def test_osv_archive_sync(server: tuple[str, Path]) -> None:
    base, root = server
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("GO-2020-0001.json", (INPUTS / "osv-GO-2020-0001.json").read_bytes())
    (root / "all.zip").write_bytes(buffer.getvalue())
    assert [a.id for a in sync_osv_archive(f"{base}/all.zip").advisories] == ["GO-2020-0001"]


def test_nvd_pages_until_the_total() -> None:
    record = json.loads((INPUTS / "nvd-2.0-CVE-2024-3094.json").read_bytes())["vulnerabilities"][0]
    asked: list[str] = []

    def fetch(url: str) -> bytes:
        asked.append(url)
        return json.dumps({"format": "NVD_CVE", "totalResults": 3, "vulnerabilities": [record]}).encode()

    read = sync_nvd(
        "https://nvd.example/rest/json/cves/2.0",
        since="2024-01-01T00:00:00.000",
        fetch=fetch,
        page=1,
        until=datetime(2024, 3, 1, tzinfo=UTC),  # one window of the API's 120 days
    )
    assert len(read.advisories) == 3
    assert len(asked) == 3
    assert "startIndex=2" in asked[-1]
    assert "lastModStartDate=2024-01-01" in asked[0]


def test_http_fetch_refuses_other_schemes_and_missing_documents(server: tuple[str, Path]) -> None:
    base, _ = server
    with pytest.raises(ParseError) as refused:
        http_fetch("file:///etc/passwd")
    assert refused.value.problems[0].rule == "url"
    with pytest.raises(ParseError) as missing:
        http_fetch(f"{base}/nothing.json", timeout=5)
    assert missing.value.problems[0].rule == "http"


def test_http_fetch_limits_the_size(server: tuple[str, Path]) -> None:
    base, root = server
    (root / "big.json").write_bytes(b"x" * 5000)
    with pytest.raises(ParseError) as refused:
        http_fetch(f"{base}/big.json", max_bytes=1000)
    assert refused.value.problems[0].rule == "file-too-large"
