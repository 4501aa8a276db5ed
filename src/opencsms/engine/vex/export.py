"""Findings to VEX documents: CycloneDX 1.5 VEX, CSAF 2.0 VEX and OpenVEX 0.2 (ISO/SAE 21434 clause 8.6).

Every document names products by the SBOM's own purl (or CPE, or bom-ref when it has neither), so consumers
can join the statements back to their SBOM. Time stamps and document ids are parameters: the same findings
give the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from opencsms.engine.matching.model import Finding
from opencsms.engine.sbom.model import VexStatus

_CYCLONEDX_STATE = {
    VexStatus.NOT_AFFECTED: "not_affected",
    VexStatus.AFFECTED: "exploitable",
    VexStatus.FIXED: "resolved",
    VexStatus.UNDER_INVESTIGATION: "in_triage",
}
_CSAF_STATUS = {
    VexStatus.NOT_AFFECTED: "known_not_affected",
    VexStatus.AFFECTED: "known_affected",
    VexStatus.FIXED: "fixed",
    VexStatus.UNDER_INVESTIGATION: "under_investigation",
}


def product_id(finding: Finding) -> str:
    """The identifier a consumer joins on: purl, else CPE, else the SBOM reference."""
    component = finding.component
    return component.purl or component.cpe or component.ref


def _justification(finding: Finding) -> str:
    return finding.vex.justification if finding.vex else ""


def _detail(finding: Finding) -> str:
    if finding.vex and finding.vex.detail:
        return finding.vex.detail
    return "; ".join(f"{e.advisory}: {e.detail}" for e in finding.evidence)


def openvex(findings: Sequence[Finding], *, doc_id: str, author: str, timestamp: str) -> dict[str, Any]:
    """An OpenVEX 0.2.0 document with one statement per finding."""
    statements = []
    for finding in findings:
        statement: dict[str, Any] = {
            "vulnerability": {"name": finding.id, "aliases": list(finding.aliases)},
            "products": [{"@id": product_id(finding)}],
            "status": finding.status.value,
        }
        if finding.status is VexStatus.NOT_AFFECTED:
            statement["justification"] = _justification(finding) or "vulnerable_code_not_present"
            statement["impact_statement"] = _detail(finding)
        elif finding.status is VexStatus.AFFECTED:
            statement["action_statement"] = "; ".join(finding.remediations) or "No remediation published yet"
        else:
            statement["status_notes"] = _detail(finding)
        statements.append(statement)
    return {
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": doc_id,
        "author": author,
        "timestamp": timestamp,
        "version": 1,
        "statements": statements,
    }


def cyclonedx_vex(findings: Sequence[Finding], *, serial: str, timestamp: str) -> dict[str, Any]:
    """A CycloneDX 1.5 VEX BOM: components by purl and one vulnerability entry per finding."""
    components = {}
    for finding in findings:
        c = finding.component
        ref = product_id(finding)
        components[ref] = {
            "type": "library",
            "bom-ref": ref,
            "name": c.name,
            "version": c.version,
            **({"purl": c.purl} if c.purl else {}),
            **({"cpe": c.cpe} if c.cpe else {}),
        }
    vulnerabilities = []
    for finding in findings:
        analysis: dict[str, Any] = {"state": _CYCLONEDX_STATE[finding.status], "detail": _detail(finding)}
        if finding.status is VexStatus.NOT_AFFECTED and _justification(finding):
            analysis["justification"] = _justification(finding)
        entry: dict[str, Any] = {
            "id": finding.id,
            "analysis": analysis,
            "affects": [{"ref": product_id(finding)}],
        }
        if finding.score is not None:
            entry["ratings"] = [
                {
                    "score": finding.score,
                    "severity": finding.severity.lower(),
                    "vector": finding.vectors[0] if finding.vectors else "",
                }
            ]
        if finding.aliases:
            entry["references"] = [{"id": a, "source": {"name": a.split("-", 1)[0]}} for a in finding.aliases]
        vulnerabilities.append(entry)
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "serialNumber": serial,
        "version": 1,
        "metadata": {"timestamp": timestamp},
        "components": list(components.values()),
        "vulnerabilities": vulnerabilities,
    }


def csaf_vex(
    findings: Sequence[Finding], *, tracking_id: str, publisher: str, timestamp: str
) -> dict[str, Any]:
    """A CSAF 2.0 document of the VEX profile: purl helpers, statuses, flags, remediations."""
    products: dict[str, dict[str, Any]] = {}
    for finding in findings:
        key = product_id(finding)
        if key not in products:
            helper = (
                {"purl": finding.component.purl}
                if finding.component.purl
                else ({"cpe": finding.component.cpe} if finding.component.cpe else {})
            )
            products[key] = {
                "product_id": f"CSAFPID-{len(products) + 1:04d}",
                "name": f"{finding.component.name} {finding.component.version}".strip(),
                **({"product_identification_helper": helper} if helper else {}),
            }
    by_vulnerability: dict[str, list[Finding]] = {}
    for finding in findings:
        by_vulnerability.setdefault(finding.id, []).append(finding)
    vulnerabilities = [
        _csaf_vulnerability(cve, group, products) for cve, group in sorted(by_vulnerability.items())
    ]
    return {
        "document": {
            "category": "csaf_vex",
            "csaf_version": "2.0",
            "title": f"VEX for {len(products)} product(s)",
            "publisher": {"category": "vendor", "name": publisher, "namespace": "https://opencsms.invalid"},
            "tracking": {
                "id": tracking_id,
                "status": "final",
                "version": "1",
                "initial_release_date": timestamp,
                "current_release_date": timestamp,
                "revision_history": [{"date": timestamp, "number": "1", "summary": "Initial"}],
            },
        },
        "product_tree": {"full_product_names": list(products.values())},
        "vulnerabilities": vulnerabilities,
    }


def _csaf_vulnerability(
    identifier: str, group: list[Finding], products: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    status: dict[str, list[str]] = {}
    flags, threats, remediations = [], [], []
    for finding in group:
        pid = products[product_id(finding)]["product_id"]
        status.setdefault(_CSAF_STATUS[finding.status], []).append(pid)
        if finding.status is VexStatus.NOT_AFFECTED:
            flags.append(
                {"label": _justification(finding) or "vulnerable_code_not_present", "product_ids": [pid]}
            )
            threats.append({"category": "impact", "details": _detail(finding), "product_ids": [pid]})
        elif finding.status is VexStatus.AFFECTED:
            details = "; ".join(finding.remediations) or "No remediation published yet"
            remediations.append(
                {
                    "category": "vendor_fix" if finding.remediations else "none_available",
                    "details": details,
                    "product_ids": [pid],
                }
            )
    entry: dict[str, Any] = {"product_status": {k: sorted(set(v)) for k, v in status.items()}}
    if identifier.startswith("CVE-"):
        entry["cve"] = identifier
    else:
        entry["ids"] = [{"system_name": identifier.split("-", 1)[0], "text": identifier}]
    for name, items in (("flags", flags), ("threats", threats), ("remediations", remediations)):
        if items:
            entry[name] = items
    return entry
