"""Small typed builders for vulnerability tests: OSV records, SBOMs and components."""

from __future__ import annotations

import json
from typing import Any

from opencsms.engine.advisories import Advisory, parse_advisories
from opencsms.engine.sbom import Component, Sbom


def osv(
    identifier: str,
    package: dict[str, str],
    *,
    ranges: list[dict[str, Any]] | None = None,
    versions: list[str] | None = None,
    **extra: Any,
) -> Advisory:
    """One OSV record through the real parser."""
    record = {
        "id": identifier,
        "modified": "2024-01-01T00:00:00Z",
        "affected": [{"package": package, "ranges": ranges or [], "versions": versions or []}],
        **extra,
    }
    (advisory,) = parse_advisories(json.dumps(record).encode(), f"{identifier}.json")
    return advisory


def semver(*events: tuple[str, str], kind: str = "SEMVER") -> dict[str, Any]:
    """An OSV range from (event, version) pairs."""
    return {"type": kind, "events": [{k: v} for k, v in events]}


def sbom(*purls: str, cpes: tuple[str, ...] = ()) -> Sbom:
    """An SBOM of components given by purl (and CPE-only components)."""
    components = [
        Component(ref=p, name=p.split("/")[-1].split("@")[0], version=p.rsplit("@", 1)[-1], purl=p)
        for p in purls
    ]
    components += [Component(ref=c, name=c.split(":")[4], version=c.split(":")[5], cpe=c) for c in cpes]
    return Sbom("test", "release", "1", tuple(components), file="release-1")
