"""OSV 1.x records to `Advisory` (ISO/SAE 21434 clause 8.4): every ecosystem the schema names.

SEMVER, ECOSYSTEM and GIT ranges with introduced / fixed / last_affected / limit events, `versions` lists,
`withdrawn`, aliases (and `upstream`), severities. The ecosystem becomes a purl type (`versions.purl_type`);
a package given by purl keeps the purl's namespace.
"""

from __future__ import annotations

from typing import Any

from opencsms.engine.advisories.model import (
    EVENT_KINDS,
    Advisory,
    Affected,
    Event,
    Range,
    RangeKind,
    Severity,
)
from opencsms.engine.safeinput import refuse
from opencsms.engine.sbom.identifiers import go_module_path, purl_parts
from opencsms.engine.versions import purl_type


def _range(item: Any) -> Range | None:
    if not isinstance(item, dict):
        return None
    try:
        kind = RangeKind(str(item.get("type", "")).upper())
    except ValueError:
        return None
    events = tuple(
        Event(k, str(v))
        for e in item.get("events") or ()
        if isinstance(e, dict)
        for k, v in e.items()
        if k in EVENT_KINDS
    )
    return Range(kind, events, str(item.get("repo", "")))


def _package(package: Any) -> tuple[str, str, str, str]:
    package = package if isinstance(package, dict) else {}
    ecosystem = str(package.get("ecosystem", ""))
    if package.get("purl"):
        kind, namespace, name, _ = purl_parts(str(package["purl"]))
        if kind:
            return kind, namespace, name, ecosystem
    kind = purl_type(ecosystem)
    name = str(package.get("name", ""))
    namespace = ""
    if kind == "golang":
        name = go_module_path(name)
    elif kind == "maven" and ":" in name:
        namespace, name = name.split(":", 1)
    elif kind == "pypi":
        name = name.lower().replace("_", "-").replace(".", "-")
    elif kind in {"npm", "cargo", "gem", "composer", "nuget", "hex", "pub"}:
        name = name.lower()
    if (kind == "composer" and "/" in name) or (kind == "npm" and name.startswith("@") and "/" in name):
        namespace, name = name.split("/", 1)
    elif kind in {"deb", "apk", "rpm"}:
        namespace = ecosystem.split(":", 1)[0].lower().replace(" ", "")
    return kind, namespace, name, ecosystem


def _affected(item: dict[str, Any]) -> Affected:
    kind, namespace, name, ecosystem = _package(item.get("package"))
    ranges = tuple(r for r in map(_range, item.get("ranges") or ()) if r is not None)
    versions = tuple(str(v) for v in item.get("versions") or ())
    return Affected(kind, namespace, name, ranges, versions, ecosystem=ecosystem)


def _severities(items: Any) -> tuple[Severity, ...]:
    return tuple(
        Severity(str(s.get("type", "")), str(s.get("score", "")))
        for s in items or ()
        if isinstance(s, dict) and s.get("score")
    )


def parse_osv(data: Any, file: str) -> Advisory:
    """One OSV record (already loaded JSON) to `Advisory`; refuses a record without an id."""
    if not isinstance(data, dict) or not data.get("id"):
        raise refuse(file, "not-osv", "an OSV record is an object with an 'id'")
    affected = tuple(_affected(a) for a in data.get("affected") or () if isinstance(a, dict))
    severities = _severities(data.get("severity"))
    for item in data.get("affected") or ():
        if isinstance(item, dict):
            severities += _severities(item.get("severity"))
    aliases = tuple(str(a) for a in (*(data.get("aliases") or ()), *(data.get("upstream") or ())))
    fixed = tuple(
        e.version
        for a in affected
        for r in a.ranges
        for e in r.events
        if e.kind == "fixed" and r.kind != RangeKind.GIT
    )
    return Advisory(
        str(data["id"]),
        "OSV",
        aliases,
        str(data.get("summary") or data.get("details", ""))[:500],
        str(data.get("published", "")),
        str(data.get("modified", "")),
        str(data.get("withdrawn", "")),
        severities,
        affected,
        tuple(f"upgrade to {v}" for v in dict.fromkeys(fixed)),
    )
