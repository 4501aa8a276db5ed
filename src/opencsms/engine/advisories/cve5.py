"""CVE JSON 5 records to `Advisory` (ISO/SAE 21434 clause 8.4).

`affected[]` entries: a package by `collectionURL` + `packageName` (the registries we know), else by CPE
(`cpes`), else by ("cpe", vendor, product). `versions[]` with `status: affected` give ranges: `version` +
`lessThan` (fixed) or `lessThanOrEqual` (last affected); a free-text constraint such as ">= 2.0.0, < 2.0.7"
is read too. `defaultStatus: affected` with only `unaffected` entries means everything below the first
unaffected version.
"""

from __future__ import annotations

import re
from typing import Any

from opencsms.engine.advisories.model import Advisory, Affected, Event, Range, RangeKind, Severity
from opencsms.engine.advisories.nvd import cpe_affected
from opencsms.engine.safeinput import refuse
from opencsms.engine.sbom.identifiers import go_module_path

_REGISTRIES = {
    "pkg.go.dev": "golang",
    "go.dev": "golang",
    "npmjs.com": "npm",
    "pypi.org": "pypi",
    "repo.maven.apache.org": "maven",
    "crates.io": "cargo",
    "rubygems.org": "gem",
    "packagist.org": "composer",
    "nuget.org": "nuget",
}
_CONSTRAINT = re.compile(r"(>=|<=|>|<|=)\s*([^\s,]+)")
_OPERATORS = {">=": "introduced", ">": "introduced_after", "<": "fixed", "<=": "last_affected"}
_METRIC_KINDS = {"cvssV4_0": "CVSS_V4", "cvssV3_1": "CVSS_V3", "cvssV3_0": "CVSS_V3", "cvssV2_0": "CVSS_V2"}


def constraint_events(text: str) -> tuple[list[Event], str]:
    """Events of a constraint (">= 2.0.0, < 2.0.7", "vers:npm/>=1.0|<2.0", "<V2.9"), or its exact version."""
    text = text.split("/", 1)[1] if text.startswith("vers:") and "/" in text else text
    constraints = _CONSTRAINT.findall(text)
    if not constraints:
        return [], ""
    events = [Event(_OPERATORS[op], v) for op, v in constraints if op in _OPERATORS]
    if events and not any(e.kind.startswith("introduced") for e in events):
        events.insert(0, Event("introduced", "0"))
    return events, "".join(v for op, v in constraints if op == "=")


def _events(entry: dict[str, Any]) -> tuple[list[Event], str]:
    """(range events, exact version) of one CVE 5 `versions` entry."""
    version = str(entry.get("version", "")).strip()
    if entry.get("lessThan") or entry.get("lessThanOrEqual"):
        start = "0" if version in {"", "*", "0", "n/a", "unspecified"} else version
        end_kind = "fixed" if entry.get("lessThan") else "last_affected"
        end = str(entry.get("lessThan") or entry.get("lessThanOrEqual"))
        return ([Event("introduced", start)] + ([] if end == "*" else [Event(end_kind, end)])), ""
    events, exact = constraint_events(version)
    if events or exact:
        return events, exact
    return [], version if version not in {"", "*", "n/a", "unspecified"} else ""


def _target(item: dict[str, Any]) -> tuple[str, str, str]:
    url = str(item.get("collectionURL", ""))
    host = re.sub(r"^https?://(www\.)?", "", url).split("/", 1)[0]
    kind = _REGISTRIES.get(host, "")
    if kind and item.get("packageName"):
        name = str(item["packageName"])
        namespace, _, short = name.rpartition(":" if kind == "maven" else "\x00")
        if kind == "golang":
            return kind, "", go_module_path(short)
        return kind, namespace, short.lower() if kind in {"pypi", "npm"} else short
    vendor = str(item.get("vendor", "")).lower().replace(" ", "_")
    return "cpe", vendor, str(item.get("product", "")).lower().replace(" ", "_")


def _affected(item: dict[str, Any]) -> list[Affected]:
    ranges, versions = [], []
    entries = [v for v in item.get("versions") or () if isinstance(v, dict)]
    for entry in entries:
        if entry.get("status") == "affected":
            events, exact = _events(entry)
            if events:
                ranges.append(Range(RangeKind.ECOSYSTEM, tuple(events)))
            elif exact:
                versions.append(exact)
    unaffected = [str(e.get("version", "")) for e in entries if e.get("status") == "unaffected"]
    if item.get("defaultStatus") == "affected" and not ranges and not versions and unaffected:
        ranges.append(Range(RangeKind.ECOSYSTEM, (Event("introduced", "0"), Event("fixed", unaffected[0]))))
    cpes = [a for a in (cpe_affected(str(c), {}) for c in item.get("cpes") or ()) if a is not None]
    kind, namespace, name = _target(item)
    if kind == "cpe" and cpes:
        return [Affected("cpe", c.namespace, c.name, tuple(ranges), tuple(versions), cpe=c.cpe) for c in cpes]
    return [Affected(kind, namespace, name, tuple(ranges), tuple(versions))] if name else []


def parse_cve5(data: Any, file: str) -> Advisory:
    """One CVE JSON 5 record to `Advisory`; a REJECTED record is marked withdrawn."""
    if not isinstance(data, dict) or data.get("dataType") != "CVE_RECORD":
        raise refuse(file, "not-cve5", "a CVE JSON 5 record has dataType CVE_RECORD")
    meta = data.get("cveMetadata") or {}
    cna = (data.get("containers") or {}).get("cna") or {}
    affected = [a for item in cna.get("affected") or () if isinstance(item, dict) for a in _affected(item)]
    severities = tuple(
        Severity(kind, str(m[field]["vectorString"]), m[field].get("baseScore"))
        for m in cna.get("metrics") or ()
        for field, kind in _METRIC_KINDS.items()
        if isinstance(m.get(field), dict) and m[field].get("vectorString")
    )
    description = next((d.get("value", "") for d in cna.get("descriptions") or () if isinstance(d, dict)), "")
    withdrawn = str(meta.get("dateUpdated", "")) if meta.get("state") == "REJECTED" else ""
    return Advisory(
        str(meta.get("cveId", "")),
        "CVE5",
        (),
        str(description)[:500],
        str(meta.get("datePublished", "")),
        str(meta.get("dateUpdated", "")),
        withdrawn,
        severities,
        tuple(affected),
    )
