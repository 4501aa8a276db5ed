"""One vulnerability scan, end to end (ISO/SAE 21434 clause 8.5-8.6, R155 7.2.2.2(g)).

SBOMs x advisories (in memory or from an index file) -> findings with KEV and EPSS attached and VEX applied,
then rendered as a table, JSON or a VEX document. The CLI calls `scan` and `render`; the server calls the
lower layers directly (`matching.PortfolioIndex`, `vex.apply_vex`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from opencsms.engine.advisories.model import Advisory, EpssScore, KevEntry
from opencsms.engine.advisories.store import AdvisoryStore
from opencsms.engine.errors import EngineError
from opencsms.engine.matching import AdvisoryIndex, Finding, enrich, match
from opencsms.engine.matching.compare import component_keys
from opencsms.engine.matching.model import SEVERITY_ORDER
from opencsms.engine.sbom.model import Sbom, VexStatement
from opencsms.engine.vex import apply_vex, csaf_vex, cyclonedx_vex, openvex

FORMATS = ("table", "json", "cyclonedx-vex", "csaf-vex", "openvex")


@dataclass(frozen=True)
class ScanInput:
    """What a scan reads: SBOMs, advisories and/or an index file, VEX statements, KEV and EPSS."""

    sboms: Sequence[Sbom]
    advisories: Sequence[Advisory] = ()
    store: AdvisoryStore | None = None
    vex: Sequence[VexStatement] = ()
    kev: dict[str, KevEntry] = field(default_factory=dict)
    epss: dict[str, EpssScore] = field(default_factory=dict)


def scan(request: ScanInput) -> list[Finding]:
    """The findings of every SBOM (release = the SBOM's file), enriched and with VEX applied."""
    advisories = list(request.advisories)
    if request.store is not None:
        keys = [key for sbom in request.sboms for c in sbom.components for key, _ in component_keys(c)]
        candidates = request.store.advisories_for(keys)
        advisories.extend(candidates + request.store.advisories_sharing_ids(candidates))
    index = AdvisoryIndex(advisories)
    findings: list[Finding] = []
    for sbom in request.sboms:
        findings.extend(match(sbom, index, sbom.file))
    statements = [s for sbom in request.sboms for s in sbom.vex] + list(request.vex)
    return apply_vex(enrich(findings, request.kev, request.epss), statements)


def document_id(findings: Iterable[Finding]) -> str:
    """A stable urn:uuid for a VEX document: the same findings give the same id."""
    digest = hashlib.sha256(
        "\n".join(sorted(f"{f.release} {f.component.ref} {f.id}" for f in findings)).encode()
    )
    text = digest.hexdigest()
    return f"urn:uuid:{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:32]}"


def parse_threshold(text: str) -> str:
    """A --fail-on severity (low, medium, high, critical, or any), upper-cased; EngineError otherwise."""
    value = text.strip().upper()
    if value == "ANY":
        return "NONE"
    if value not in SEVERITY_ORDER:
        raise EngineError(f"unknown severity {text!r}; use any, low, medium, high or critical")
    return value


def failing(findings: Iterable[Finding], threshold: str) -> list[Finding]:
    """Open findings (not VEX'd away) at or above `threshold`; unscored ones fail only `--fail-on any`."""
    floor = SEVERITY_ORDER.index(threshold)
    return [f for f in findings if f.open and SEVERITY_ORDER.index(f.severity) >= floor]


def finding_dict(finding: Finding) -> dict[str, object]:
    """A finding as JSON-ready data (the `json` format's rows)."""
    c = finding.component
    return {
        "id": finding.id,
        "aliases": list(finding.aliases),
        "release": finding.release,
        "component": {"ref": c.ref, "name": c.name, "version": c.version, "purl": c.purl, "cpe": c.cpe},
        "severity": finding.severity,
        "score": finding.score,
        "vectors": list(finding.vectors),
        "status": finding.status.value,
        "needs_evidence": finding.needs_evidence,
        "evidence": [
            {
                "advisory": e.advisory,
                "source": e.source,
                "kind": e.kind.value,
                "identifier": e.identifier,
                "detail": e.detail,
                **({"condition": e.condition} if e.condition else {}),
            }
            for e in finding.evidence
        ],
        "remediations": list(finding.remediations),
        "summary": finding.summary,
        "kev": finding.kev.date_added if finding.kev else None,
        "epss": finding.epss.epss if finding.epss else None,
        "vex": {
            "status": finding.vex.status.value,
            "justification": finding.vex.justification,
            "source": finding.vex.source,
        }
        if finding.vex
        else None,
    }


def _table(findings: Sequence[Finding]) -> str:
    header = ("ID", "SEVERITY", "SCORE", "COMPONENT", "VERSION", "STATUS", "KEV", "EPSS", "EVIDENCE")
    rows = [header] + [
        (
            f.id,
            f.severity,
            "" if f.score is None else f"{f.score:.1f}",
            f.component.name,
            f.component.version,
            f.status.value,
            "yes" if f.kev else "",
            "" if f.epss is None else f"{f.epss.epss:.3f}",
            f.evidence[0].detail[:60],
        )
        for f in findings
    ]
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(header))]
    lines = ["  ".join(str(v).ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    open_count = sum(1 for f in findings if f.open)
    return "\n".join([*lines, f"{len(findings)} finding(s), {open_count} open"]) + "\n"


def render(findings: Sequence[Finding], fmt: str, *, timestamp: str, doc_id: str, author: str) -> bytes:
    """Findings in one of FORMATS, sorted by severity (worst first) then id."""
    ordered = sorted(
        findings, key=lambda f: (-SEVERITY_ORDER.index(f.severity), f.id, f.release, f.component.ref)
    )
    if fmt == "table":
        return _table(ordered).encode()
    documents: dict[str, Callable[[], dict[str, Any]]] = {
        "json": lambda: {"findings": [finding_dict(f) for f in ordered]},
        "openvex": lambda: openvex(ordered, doc_id=doc_id, author=author, timestamp=timestamp),
        "cyclonedx-vex": lambda: cyclonedx_vex(ordered, serial=doc_id, timestamp=timestamp),
        "csaf-vex": lambda: csaf_vex(ordered, tracking_id=doc_id, publisher=author, timestamp=timestamp),
    }
    if fmt not in documents:
        raise EngineError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    return (json.dumps(documents[fmt](), indent=2, ensure_ascii=False) + "\n").encode()
