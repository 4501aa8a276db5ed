"""NVD CVE API 2.0 JSON to `Advisory` (ISO/SAE 21434 clause 8.4), for CPE matching of C/C++ and firmware.

Each vulnerable `cpeMatch` becomes an `Affected` keyed by ("cpe", vendor, product) with a range from
versionStart/End Including/Excluding, or the exact version the criteria names. OR nodes are alternatives.
In an AND configuration (an application "running on" a platform) the vulnerable entries are matched and the
non-vulnerable platform criteria are recorded as the `condition`, not required:
SBOMs rarely list the platform.
Negated nodes are not evaluated (documented in docs/vulnerabilities.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from opencsms.engine.advisories.model import Advisory, Affected, Event, Range, RangeKind, Severity
from opencsms.engine.safeinput import refuse
from opencsms.engine.sbom.identifiers import canonical_cpe, split_cpe

_METRICS = (
    ("cvssMetricV40", "CVSS_V4"),
    ("cvssMetricV31", "CVSS_V3"),
    ("cvssMetricV30", "CVSS_V3"),
    ("cvssMetricV2", "CVSS_V2"),
)
ANY = frozenset({"*", "-", ""})


def cpe_affected(criteria: str, bounds: dict[str, Any], condition: str = "") -> Affected | None:
    """An `Affected` for one CPE match criterion and its version bounds (NVD field names)."""
    cpe = canonical_cpe(criteria)
    if not cpe:
        return None
    fields = split_cpe(cpe)
    events = []
    for field, kind in (
        ("versionStartIncluding", "introduced"),
        ("versionStartExcluding", "introduced_after"),
        ("versionEndExcluding", "fixed"),
        ("versionEndIncluding", "last_affected"),
    ):
        if bounds.get(field):
            events.append(Event(kind, str(bounds[field])))
    versions: tuple[str, ...] = ()
    if events and not any(e.kind.startswith("introduced") for e in events):
        events.insert(0, Event("introduced", "0"))
    if not events and fields[5] not in ANY:
        versions = (fields[5],)
    elif not events:
        events = [Event("introduced", "0")]
    ranges = (Range(RangeKind.ECOSYSTEM, tuple(events)),) if events else ()
    return Affected("cpe", fields[3], fields[4], ranges, versions, cpe=cpe, condition=condition)


def _node_matches(node: dict[str, Any], vulnerable: bool) -> Iterator[dict[str, Any]]:
    for match in node.get("cpeMatch") or ():
        if isinstance(match, dict) and bool(match.get("vulnerable")) == vulnerable:
            yield match


def configuration_affected(configurations: Any) -> Iterator[Affected]:
    """Every vulnerable CPE of NVD `configurations`, with the AND platform condition when there is one."""
    for config in configurations or ():
        nodes = [n for n in config.get("nodes") or () if isinstance(n, dict) and not n.get("negate")]
        condition = ""
        if str(config.get("operator", "")).upper() == "AND":
            platforms = [m["criteria"] for n in nodes for m in _node_matches(n, False) if "criteria" in m]
            condition = " or ".join(platforms[:5]) and f"running on {' or '.join(platforms[:5])}"
        for node in nodes:
            for match in _node_matches(node, True):
                affected = cpe_affected(str(match.get("criteria", "")), match, condition)
                if affected is not None:
                    yield affected


def nvd_severities(metrics: Any) -> tuple[Severity, ...]:
    """CVSS vectors of NVD `metrics`, newest CVSS version first."""
    found = []
    for field, kind in _METRICS:
        for metric in (metrics or {}).get(field) or ():
            data = metric.get("cvssData") or {}
            if data.get("vectorString"):
                found.append(Severity(kind, str(data["vectorString"]), data.get("baseScore")))
    return tuple(found)


def parse_nvd_cve(cve: dict[str, Any]) -> Advisory:
    """One `cve` object of the NVD API 2.0 to `Advisory`."""
    description = next(
        (d.get("value", "") for d in cve.get("descriptions") or () if d.get("lang") == "en"), ""
    )
    rejected = str(cve.get("lastModified", "")) if cve.get("vulnStatus") == "Rejected" else ""
    return Advisory(
        str(cve.get("id", "")),
        "NVD",
        (),
        str(description)[:500],
        str(cve.get("published", "")),
        str(cve.get("lastModified", "")),
        rejected,
        nvd_severities(cve.get("metrics")),
        tuple(configuration_affected(cve.get("configurations"))),
    )


def parse_nvd(data: Any, file: str) -> list[Advisory]:
    """An NVD API 2.0 response (`vulnerabilities[].cve`) to advisories."""
    if not isinstance(data, dict) or not isinstance(data.get("vulnerabilities"), list):
        raise refuse(file, "not-nvd", "an NVD API 2.0 response has a 'vulnerabilities' list")
    return [parse_nvd_cve(v["cve"]) for v in data["vulnerabilities"] if isinstance(v, dict) and "cve" in v]
