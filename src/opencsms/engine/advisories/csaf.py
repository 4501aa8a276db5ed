"""CSAF 2.0 advisories to `Advisory` and CSAF VEX statements (ISO/SAE 21434 clause 8.4, R155 7.2.2.2(g)).

The product tree (branches, full product names, relationships) gives each product id a purl or CPE from its
`product_identification_helper`, else the vendor / product name / version of its branch path (matched as
("cpe", vendor, product): name evidence, weaker than an identifier). `known_affected`, `first_affected` and
`last_affected` become `Affected` entries; `fixed`, `known_not_affected` and `under_investigation` become VEX
statements (the VEX profile), with the flag label as justification; remediations are kept as text.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from opencsms.engine.advisories.model import Advisory, Affected, Event, Range, RangeKind, Severity
from opencsms.engine.advisories.nvd import cpe_affected
from opencsms.engine.advisories.vers import parse_range
from opencsms.engine.safeinput import MAX_DEPTH, refuse
from opencsms.engine.sbom.identifiers import canonical_cpe, canonical_purl, cpe_word, purl_parts
from opencsms.engine.sbom.model import VexStatement, VexStatus

AFFECTED_STATUSES = ("known_affected", "first_affected", "last_affected")
VEX_STATUSES = {
    "known_not_affected": VexStatus.NOT_AFFECTED,
    "fixed": VexStatus.FIXED,
    "first_fixed": VexStatus.FIXED,
    "under_investigation": VexStatus.UNDER_INVESTIGATION,
    "known_affected": VexStatus.AFFECTED,
}
_SCORES = (("cvss_v3", "CVSS_V3"), ("cvss_v2", "CVSS_V2"))


@dataclass(frozen=True, slots=True)
class CsafProduct:
    """What the product tree says about one product id."""

    product_id: str
    purl: str = ""
    cpe: str = ""
    vendor: str = ""
    name: str = ""
    version: str = ""
    version_range: str = ""


def _helper(product: dict[str, Any], path: dict[str, str]) -> CsafProduct:
    helper = product.get("product_identification_helper") or {}
    return CsafProduct(
        str(product.get("product_id", "")),
        canonical_purl(str(helper.get("purl", ""))),
        canonical_cpe(str(helper.get("cpe", ""))),
        path.get("vendor", ""),
        path.get("product_name", "") or str(product.get("name", "")),
        path.get("product_version", ""),
        path.get("product_version_range", ""),
    )


def _walk(branches: Any, path: dict[str, str], depth: int = 0) -> Iterator[CsafProduct]:
    if depth > MAX_DEPTH:
        return
    for branch in branches or ():
        if not isinstance(branch, dict):
            continue
        here = {**path, str(branch.get("category", "")): str(branch.get("name", ""))}
        if isinstance(branch.get("product"), dict):
            yield _helper(branch["product"], here)
        yield from _walk(branch.get("branches"), here, depth + 1)


def product_tree(tree: Any) -> dict[str, CsafProduct]:
    """Product id -> what identifies it, through branches, full product names and relationships."""
    tree = tree if isinstance(tree, dict) else {}
    products = {p.product_id: p for p in _walk(tree.get("branches"), {})}
    for product in tree.get("full_product_names") or ():
        if isinstance(product, dict):
            products[str(product.get("product_id", ""))] = _helper(product, {})
    for relation in tree.get("relationships") or ():
        full = relation.get("full_product_name") or {} if isinstance(relation, dict) else {}
        component = products.get(str(relation.get("product_reference", ""))) if full else None
        if component is not None:
            products[str(full.get("product_id", ""))] = CsafProduct(
                str(full.get("product_id", "")),
                component.purl,
                component.cpe,
                component.vendor,
                component.name,
                component.version,
                component.version_range,
            )
    return products


_EVERYTHING = (Range(RangeKind.ECOSYSTEM, (Event("introduced", "0"),)),)


def _versions(product: CsafProduct) -> tuple[tuple[Range, ...], tuple[str, ...], str]:
    """(ranges, versions, problem) of a product's `product_version_range`, or of its `product_version`
    (one version, or `vers:all/*` for all of them): `vers.parse_range`."""
    text = product.version_range or (product.version if product.version.startswith("vers:") else "")
    if not text:
        return (), (product.version,) if product.version else (), ""
    spec = parse_range(text)
    if spec.problem:
        return (), (), spec.problem
    if spec.everything:
        return _EVERYTHING, (), ""
    return tuple(Range(RangeKind.ECOSYSTEM, events) for events in spec.intervals), spec.versions, ""


def _affected(product: CsafProduct) -> tuple[Affected | None, str]:
    """The product as an `Affected` entry; (None, problem) when its version range cannot be read: it is
    then left out and named, never widened to every version."""
    ranges, versions, problem = _versions(product)
    if problem:
        return None, f"product {product.product_id}: {problem}; it is not matched"
    if product.purl:
        kind, namespace, name, purl_version = purl_parts(product.purl)
        versions = (purl_version,) if purl_version else versions
        return Affected(kind, namespace, name, ranges or _only(versions), versions), ""
    if product.cpe:
        found = cpe_affected(product.cpe, {})
        if found is None or not (ranges or versions):
            return found, ""
        return Affected("cpe", found.namespace, found.name, ranges, versions, cpe=found.cpe), ""
    if not product.name:
        return None, ""
    vendor, name = cpe_word(product.vendor), cpe_word(product.name)
    return Affected("cpe", vendor, name, ranges or _only(versions), versions, condition="matched by name"), ""


def _only(versions: tuple[str, ...]) -> tuple[Range, ...]:
    """No range: none when versions are listed, else every version (the product as a whole)."""
    return () if versions else _EVERYTHING


def _severities(vulnerability: dict[str, Any]) -> tuple[Severity, ...]:
    return tuple(
        Severity(kind, str(score[field]["vectorString"]), score[field].get("baseScore"))
        for score in vulnerability.get("scores") or ()
        for field, kind in _SCORES
        if isinstance(score.get(field), dict) and score[field].get("vectorString")
    )


def _document(data: Any, file: str) -> tuple[dict[str, Any], str]:
    if not isinstance(data, dict) or not isinstance(data.get("document"), dict):
        raise refuse(file, "not-csaf", "a CSAF document is an object with a 'document' object")
    tracking = data["document"].get("tracking") or {}
    return tracking, str(tracking.get("id", "")) or file


def parse_csaf(data: Any, file: str) -> list[Advisory]:
    """A CSAF 2.0 document (already loaded) to one advisory per vulnerability."""
    tracking, doc_id = _document(data, file)
    products = product_tree(data.get("product_tree"))
    advisories = []
    for index, vuln in enumerate(v for v in data.get("vulnerabilities") or () if isinstance(v, dict)):
        status = vuln.get("product_status") or {}
        ids = [str(i.get("text", "")) for i in vuln.get("ids") or () if isinstance(i, dict)]
        entries = [
            _affected(products[pid])
            for key in AFFECTED_STATUSES
            for pid in status.get(key) or ()
            if pid in products
        ]
        remediations = tuple(
            f"{r.get('category', '')}: {r.get('details', '')}"
            for r in vuln.get("remediations") or ()
            if isinstance(r, dict)
        )
        identifier = str(vuln.get("cve") or (ids[0] if ids else f"{doc_id}#{index + 1}"))
        # the document id is not an alias: two CVEs of one CSAF document are two vulnerabilities
        aliases = tuple(dict.fromkeys(a for a in ids if a and a != identifier))
        advisories.append(
            Advisory(
                identifier,
                "CSAF",
                aliases,
                str(vuln.get("title", "") or data["document"].get("title", "")),
                str(tracking.get("initial_release_date", "")),
                str(tracking.get("current_release_date", "")),
                "",
                _severities(vuln),
                tuple(a for a, _ in entries if a is not None),
                remediations,
                doc_id,
                tuple(dict.fromkeys(problem for _, problem in entries if problem)),
            )
        )
    return advisories


def csaf_vex(data: Any, file: str) -> tuple[VexStatement, ...]:
    """The VEX statements of a CSAF document: product status with flags (justification) and impact threats."""
    _, doc_id = _document(data, file)
    products = product_tree(data.get("product_tree"))
    statements = []
    for vuln in (v for v in data.get("vulnerabilities") or () if isinstance(v, dict)):
        flags = {
            pid: str(f.get("label", ""))
            for f in vuln.get("flags") or ()
            for pid in f.get("product_ids") or ()
        }
        impacts = {
            pid: str(t.get("details", ""))
            for t in vuln.get("threats") or ()
            if t.get("category") == "impact"
            for pid in t.get("product_ids") or ()
        }
        ids = [str(i.get("text", "")) for i in vuln.get("ids") or () if isinstance(i, dict)]
        identifier = str(vuln.get("cve") or next((i for i in ids if i), ""))  # a GHSA or GO id in `ids`
        for key, status in VEX_STATUSES.items():
            for pid in (vuln.get("product_status") or {}).get(key) or ():
                product = products.get(pid, CsafProduct(pid))
                statements.append(
                    VexStatement(
                        identifier,
                        status,
                        (product.purl or product.cpe or pid,),
                        flags.get(pid, ""),
                        impacts.get(pid, ""),
                        "",
                        doc_id,
                    )
                )
    return tuple(statements)
