"""Feeds served by the tests' local HTTP server (tests/core/localhttp.py): an OSV bucket per ecosystem
(all.zip, modified_id.csv, one JSON per record), a CSAF provider (provider-metadata.json, a ROLIE feed with
SHA-512 files, a directory with changes.csv), the NVD CVE API 2.0 (pages and lastMod windows, each request
recorded), a KEV JSON catalogue and a gzip EPSS file. Records are made here or from the golden inputs."""

from __future__ import annotations

import copy
import gzip
import hashlib
import io
import json
import urllib.parse
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tests.core.localhttp import Handler
from tests.paths import GOLDEN

INPUTS = GOLDEN / "vulns" / "inputs"


def csaf_document(cve: str, tracking_id: str, product: str = "") -> bytes:
    """The golden ICSA CSAF document with another CVE and tracking id (its products kept)."""
    data = json.loads((INPUTS / "csaf-icsa-20-098-05.json").read_bytes())
    data["document"]["tracking"]["id"] = tracking_id
    data["vulnerabilities"][0]["cve"] = cve
    return json.dumps(data).encode()


def nvd_record(cve: str, last_modified: str) -> dict[str, Any]:
    """The golden NVD record of CVE-2024-3094 under another id and modification time."""
    record = json.loads((INPUTS / "nvd-2.0-CVE-2024-3094.json").read_bytes())["vulnerabilities"][0]
    record = copy.deepcopy(record)
    record["cve"]["id"] = cve
    record["cve"]["lastModified"] = last_modified
    return dict(record)


def serve(path: str, raw: bytes) -> None:
    """Serve `raw` at /files/<path>."""
    Handler.files[path] = raw


def osv_ecosystem(name: str, records: list[dict[str, Any]], in_archive: list[dict[str, Any]]) -> None:
    """/files/osv/<name>/: all.zip of `in_archive`, each of `records` as <id>.json, and modified_id.csv
    listing `records` newest first ("modified,id", as OSV writes it)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for record in in_archive:
            archive.writestr(f"{record['id']}.json", json.dumps(record))
    serve(f"osv/{name}/all.zip", buffer.getvalue())
    for record in records:
        serve(f"osv/{name}/{record['id']}.json", json.dumps(record).encode())
    newest_first = sorted(records, key=lambda r: r["modified"], reverse=True)
    serve(
        f"osv/{name}/modified_id.csv", "".join(f"{r['modified']},{r['id']}\n" for r in newest_first).encode()
    )


def rolie_feed(path: str, documents: dict[str, tuple[bytes, str]]) -> None:
    """A ROLIE feed at /files/<path>: each document (name -> (bytes, updated)) beside it, with its SHA-512."""
    folder = path.rsplit("/", 1)[0] + "/" if "/" in path else ""
    entries = []
    for name, (raw, updated) in documents.items():
        serve(f"{folder}{name}", raw)
        serve(f"{folder}{name}.sha512", f"{hashlib.sha512(raw).hexdigest()}  {name}\n".encode())
        entries.append(
            {
                "id": name,
                "title": name,
                "updated": updated,
                "link": [{"rel": "self", "href": name}, {"rel": "hash", "href": f"{name}.sha512"}],
                "content": {"type": "application/json", "src": name},
            }
        )
    serve(path, json.dumps({"feed": {"id": path, "title": "CSAF feed", "entry": entries}}).encode())


def csaf_directory(folder: str, documents: dict[str, tuple[bytes, str]]) -> None:
    """A CSAF directory at /files/<folder>/: the documents (path -> (bytes, time)) and changes.csv."""
    for name, (raw, _) in documents.items():
        serve(f"{folder}/{name}", raw)
    rows = sorted(documents.items(), key=lambda item: item[1][1], reverse=True)
    serve(f"{folder}/changes.csv", "".join(f'"{name}","{when}"\n' for name, (_, when) in rows).encode())


def provider_metadata(base: str, feeds: tuple[str, ...] = (), directories: tuple[str, ...] = ()) -> None:
    """/files/csaf/provider-metadata.json naming ROLIE feeds and directories (paths under /files/)."""
    rolie = [{"summary": "all", "tlp_label": "CLEAR", "url": f"{base}/files/{f}"} for f in feeds]
    distributions: list[dict[str, Any]] = [{"rolie": {"feeds": [feed]}} for feed in rolie]
    distributions += [{"directory_url": f"{base}/files/{d}/"} for d in directories]
    document = {
        "canonical_url": f"{base}/files/csaf/provider-metadata.json",
        "metadata_version": "2.0",
        "list_on_CSAF_aggregators": True,
        "mirror_on_CSAF_aggregators": True,
        "publisher": {"category": "vendor", "name": "Example", "namespace": "https://example.test"},
        "role": "csaf_trusted_provider",
        "distributions": distributions,
    }
    serve("csaf/provider-metadata.json", json.dumps(document).encode())


@dataclass
class NvdApi:
    """The NVD CVE API 2.0 at /nvd: answers every query from `records` (by lastModified within the window,
    paged), and keeps each query's parameters."""

    records: list[dict[str, Any]]
    queries: list[dict[str, str]] = field(default_factory=list)

    def __call__(self, query: str) -> tuple[int, bytes]:
        asked = dict(urllib.parse.parse_qsl(query))
        self.queries.append(asked)
        found = self.records
        if "lastModStartDate" in asked:
            low = datetime.fromisoformat(asked["lastModStartDate"])
            high = datetime.fromisoformat(asked["lastModEndDate"])
            if (high - low).days > 120:
                return 404, b"the lastMod range is longer than 120 days"
            found = [
                r for r in found if low <= datetime.fromisoformat(r["cve"]["lastModified"] + "+00:00") <= high
            ]
        start, size = int(asked.get("startIndex", 0)), int(asked.get("resultsPerPage", 2000))
        page = found[start : start + size]
        body = {
            "resultsPerPage": len(page),
            "startIndex": start,
            "totalResults": len(found),
            "format": "NVD_CVE",
            "version": "2.0",
            "timestamp": "2026-12-07T00:00:00.000",
            "vulnerabilities": page,
        }
        return 200, json.dumps(body).encode()


def nvd_api(records: list[dict[str, Any]]) -> NvdApi:
    api = NvdApi(records)
    Handler.routes["/nvd"] = api
    return api


def epss_gzip(raw: bytes) -> bytes:
    return gzip.compress(raw)
