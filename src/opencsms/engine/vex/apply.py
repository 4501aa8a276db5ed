"""Apply VEX statements to findings (ISO/SAE 21434 clause 8.6; R155 7.2.2.2(g)).

A statement applies to a finding when it names one of the finding's ids (or aliases) and a product that is
the finding's component: the same bom-ref / SPDX id, purl (exactly, without qualifiers, or without version
when the statement gives none) or CPE. When several statements apply, the last one read wins, so a later VEX
file overrides an earlier one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from opencsms.engine.matching.model import Finding
from opencsms.engine.sbom.identifiers import canonical_purl
from opencsms.engine.sbom.model import Component, VexStatement


def _bare(purl: str) -> str:
    return purl.split("?", 1)[0].split("#", 1)[0]


def _versionless(purl: str) -> str:
    bare = _bare(purl)
    return bare.rsplit("@", 1)[0] if "@" in bare.rsplit("/", 1)[-1] else bare


def names_component(product: str, component: Component) -> bool:
    """Does a VEX product identifier denote this component?"""
    reference = product.rsplit("#", 1)[-1] if product.startswith("urn:cdx:") else product
    if reference and reference in (component.ref, component.cpe):
        return True
    if not product.startswith("pkg:") or not component.purl:
        return False
    purl = canonical_purl(product) or product
    if purl == component.purl or _bare(purl) == _bare(component.purl):
        return True
    has_version = "@" in _bare(purl).rsplit("/", 1)[-1]
    return not has_version and _versionless(purl) == _versionless(component.purl)


def apply_vex(findings: Iterable[Finding], statements: Iterable[VexStatement]) -> list[Finding]:
    """Each finding with the last VEX statement that applies to it (findings without one are unchanged)."""
    by_vulnerability: dict[str, list[tuple[int, VexStatement]]] = {}
    for order, statement in enumerate(statements):
        by_vulnerability.setdefault(statement.vulnerability, []).append((order, statement))
    result = []
    for finding in findings:
        candidates = sorted((s for i in finding.ids for s in by_vulnerability.get(i, ())), key=lambda p: p[0])
        chosen = None
        for _, statement in candidates:
            if any(names_component(p, finding.component) for p in statement.products):
                chosen = statement
        result.append(replace(finding, vex=chosen) if chosen is not None else finding)
    return result
