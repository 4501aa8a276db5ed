"""CSAF 2.0 mandatory tests (section 6.1) that concern what we read: products, groups, statuses, scores,
purls and the profiles, including the VEX profile (ISO/SAE 21434 clause 8.4: judge the input before use).

`mandatory_problems(document)` returns (test id, message) pairs; an empty list means the implemented tests
pass. `IMPLEMENTED` names them; the others (revision history, translations, CWE, language, dates) do not
change what the matcher reads and are listed in docs/vulnerabilities.md.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from cvss import CVSS2, CVSS3
from cvss.exceptions import CVSSError

from opencsms.engine.advisories import csaf_checks_more as more
from opencsms.engine.sbom.identifiers import canonical_purl

Problems = Iterator[tuple[str, str]]
AFFECTED = ("first_affected", "known_affected", "last_affected")
STATUS_GROUPS = {
    "first_affected": "affected",
    "known_affected": "affected",
    "last_affected": "affected",
    "known_not_affected": "not affected",
    "first_fixed": "fixed",
    "fixed": "fixed",
    "under_investigation": "under investigation",
}
VEX_STATUSES = ("fixed", "known_affected", "known_not_affected", "under_investigation")


def _walk(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every (key path, value) in the document, iteratively (no recursion limit to hit)."""
    stack = [(path, value)]
    while stack:
        where, item = stack.pop()
        yield where, item
        if isinstance(item, dict):
            stack.extend((f"{where}/{k}", v) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((f"{where}/{i}", v) for i, v in enumerate(item))


def _defined_products(document: dict[str, Any]) -> list[str]:
    tree = document.get("product_tree") or {}
    ids = [
        str(v.get("product_id"))
        for where, v in _walk(tree.get("branches") or [])
        if where.endswith("/product") and isinstance(v, dict)
    ]
    ids += [str(p.get("product_id")) for p in tree.get("full_product_names") or () if isinstance(p, dict)]
    ids += [
        str((r.get("full_product_name") or {}).get("product_id")) for r in tree.get("relationships") or ()
    ]
    return ids


def _referenced_products(document: dict[str, Any]) -> Iterator[str]:
    tree = document.get("product_tree") or {}
    for group in tree.get("product_groups") or ():
        yield from group.get("product_ids") or ()
    for relation in tree.get("relationships") or ():
        yield from (relation.get("product_reference"), relation.get("relates_to_product_reference"))
    for vuln in document.get("vulnerabilities") or ():
        for ids in (vuln.get("product_status") or {}).values():
            yield from ids
        for field, key in (
            ("scores", "products"),
            ("remediations", "product_ids"),
            ("threats", "product_ids"),
            ("flags", "product_ids"),
        ):
            for item in vuln.get(field) or ():
                yield from item.get(key) or ()


def products(document: dict[str, Any]) -> Problems:
    """6.1.1 missing, 6.1.2 multiple and 6.1.3 circular product id definitions; 6.1.13 invalid purls."""
    defined = _defined_products(document)
    for product_id in sorted(set(_referenced_products(document)) - set(defined)):
        yield "6.1.1", f"product id {product_id} is used but not defined"
    for product_id, count in sorted(Counter(defined).items()):
        if count > 1:
            yield "6.1.2", f"product id {product_id} is defined {count} times"
    for relation in (document.get("product_tree") or {}).get("relationships") or ():
        new = (relation.get("full_product_name") or {}).get("product_id")
        if new in (relation.get("product_reference"), relation.get("relates_to_product_reference")):
            yield "6.1.3", f"product id {new} is defined through itself"
    for where, value in _walk(document.get("product_tree") or {}):
        if where.endswith("/product_identification_helper/purl") and not canonical_purl(str(value)):
            yield "6.1.13", f"{where}: {value!r} is not a valid purl"


def groups(document: dict[str, Any]) -> Problems:
    """6.1.4 missing and 6.1.5 multiple product group id definitions."""
    defined = [g.get("group_id") for g in (document.get("product_tree") or {}).get("product_groups") or ()]
    used = {
        g
        for where, v in _walk(document.get("vulnerabilities") or [])
        if where.endswith("/group_ids")
        for g in v
    }
    for group_id in sorted(used - set(defined)):
        yield "6.1.4", f"product group id {group_id} is used but not defined"
    for group_id, count in sorted(Counter(defined).items()):
        if count > 1:
            yield "6.1.5", f"product group id {group_id} is defined {count} times"


def statuses(document: dict[str, Any]) -> Problems:
    """6.1.6 contradicting product status; 6.1.23 one CVE in several vulnerabilities."""
    for index, vuln in enumerate(document.get("vulnerabilities") or ()):
        seen: dict[str, str] = {}
        for status, ids in (vuln.get("product_status") or {}).items():
            for product_id in ids:
                group = STATUS_GROUPS.get(status, "")
                if group and seen.setdefault(product_id, group) != group:
                    yield (
                        "6.1.6",
                        f"vulnerability {index}: {product_id} is both {seen[product_id]} and {group}",
                    )
    cves = Counter(v.get("cve") for v in document.get("vulnerabilities") or () if v.get("cve"))
    for cve, count in sorted(cves.items()):
        if count > 1:
            yield "6.1.23", f"{cve} is used by {count} vulnerabilities"


def scores(document: dict[str, Any]) -> Problems:
    """6.1.8 invalid CVSS: a vector the CVSS specification does not accept, or a missing required field."""
    for index, vuln in enumerate(document.get("vulnerabilities") or ()):
        for score in vuln.get("scores") or ():
            for field, parse in (("cvss_v3", CVSS3), ("cvss_v2", CVSS2)):
                data = score.get(field)
                if data is None:
                    continue
                required = {"version", "vectorString", "baseScore"} | (
                    {"baseSeverity"} if field == "cvss_v3" else set()
                )
                if missing := sorted(required - set(data)):
                    yield "6.1.8", f"vulnerability {index}: {field} lacks {', '.join(missing)}"
                    continue
                try:
                    parse(str(data["vectorString"]))
                except (CVSSError, ValueError, KeyError):
                    yield (
                        "6.1.8",
                        f"vulnerability {index}: {field} vector {data['vectorString']!r} is invalid",
                    )


def _group_members(document: dict[str, Any]) -> dict[str, list[str]]:
    return {
        g.get("group_id"): list(g.get("product_ids") or ())
        for g in (document.get("product_tree") or {}).get("product_groups") or ()
    }


def _covered(items: Any, members: dict[str, list[str]]) -> Counter[str]:
    covered: Counter[str] = Counter()
    for item in items or ():
        ids = set(item.get("product_ids") or ())
        ids.update(p for g in item.get("group_ids") or () for p in members.get(g, ()))
        covered.update(ids)
    return covered


def references(document: dict[str, Any]) -> Problems:
    """6.1.29 remediation and 6.1.32 flag without product reference; 6.1.33 several VEX flags per product."""
    members = _group_members(document)
    for index, vuln in enumerate(document.get("vulnerabilities") or ()):
        for field, test in (("remediations", "6.1.29"), ("flags", "6.1.32")):
            for item in vuln.get(field) or ():
                if not item.get("product_ids") and not item.get("group_ids"):
                    yield test, f"vulnerability {index}: a {field[:-1]} names no product or group"
        for product_id, count in sorted(_covered(vuln.get("flags"), members).items()):
            if count > 1:
                yield "6.1.33", f"vulnerability {index}: {product_id} has {count} VEX flags"


def _informational(document: dict[str, Any], category: str) -> Problems:
    notes = document["document"].get("notes") or ()
    if not any(n.get("category") in {"description", "details", "general", "summary"} for n in notes):
        yield "6.1.27.1", f"a {category} needs a description, details, general or summary note"
    if not any(r.get("category") == "external" for r in document["document"].get("references") or ()):
        yield "6.1.27.2", f"a {category} needs an external reference"
    if category == "csaf_informational_advisory" and document.get("vulnerabilities"):
        yield "6.1.27.3", "an informational advisory has no vulnerabilities"


def _advisory_or_vex(document: dict[str, Any], vex: bool) -> Problems:
    if not document.get("product_tree"):
        yield "6.1.27.4", "a security advisory or VEX needs a product tree"
    if not document.get("vulnerabilities"):
        yield "6.1.27.11", "a security advisory or VEX needs vulnerabilities"
    for index, vuln in enumerate(document.get("vulnerabilities") or ()):
        if not vuln.get("notes"):
            yield "6.1.27.5", f"vulnerability {index} has no notes"
        if not vex and not vuln.get("product_status"):
            yield "6.1.27.6", f"vulnerability {index} has no product status"


def _vex(document: dict[str, Any]) -> Problems:
    members = _group_members(document)
    for index, vuln in enumerate(document.get("vulnerabilities") or ()):
        status = vuln.get("product_status") or {}
        if not any(status.get(s) for s in VEX_STATUSES):
            yield "6.1.27.7", f"vulnerability {index} has none of {', '.join(VEX_STATUSES)}"
        if not vuln.get("cve") and not vuln.get("ids"):
            yield "6.1.27.8", f"vulnerability {index} has neither cve nor ids"
        impacts = _covered(vuln.get("flags"), members) + _covered(
            [t for t in vuln.get("threats") or () if t.get("category") == "impact"], members
        )
        for product_id in status.get("known_not_affected") or ():
            if product_id not in impacts:
                yield (
                    "6.1.27.9",
                    f"vulnerability {index}: {product_id} is not affected without an impact statement",
                )
        actions = _covered(vuln.get("remediations"), members)
        for product_id in status.get("known_affected") or ():
            if product_id not in actions:
                yield (
                    "6.1.27.10",
                    f"vulnerability {index}: {product_id} is affected without an action statement",
                )


def profiles(document: dict[str, Any]) -> Problems:
    """6.1.27.1-6.1.27.11: what each profile (informational, security advisory, VEX) must contain."""
    category = str(document["document"].get("category", ""))
    if category in {"csaf_informational_advisory", "csaf_security_incident_response"}:
        yield from _informational(document, category)
    elif category in {"csaf_security_advisory", "csaf_vex"}:
        yield from _advisory_or_vex(document, category == "csaf_vex")
        if category == "csaf_vex":
            yield from _vex(document)


CHECKS: tuple[Callable[[dict[str, Any]], Problems], ...] = (
    products,
    groups,
    statuses,
    scores,
    references,
    profiles,
    more.cvss_consistency,
    more.involvements_and_hashes,
    more.versions,
)
IMPLEMENTED = frozenset(
    {
        "6.1.1",
        "6.1.2",
        "6.1.3",
        "6.1.4",
        "6.1.5",
        "6.1.6",
        "6.1.7",
        "6.1.8",
        "6.1.9",
        "6.1.10",
        "6.1.13",
        "6.1.23",
        "6.1.24",
        "6.1.25",
        "6.1.29",
        "6.1.30",
        "6.1.31",
        "6.1.32",
        "6.1.33",
        *(f"6.1.27.{n}" for n in range(1, 12)),
    }
)


def mandatory_problems(document: dict[str, Any]) -> list[tuple[str, str]]:
    """(test id, message) for every implemented CSAF 2.0 mandatory test the document fails."""
    if not isinstance(document.get("document"), dict):
        return [("6.1", "not a CSAF document")]
    return [problem for check in CHECKS for problem in check(document)]
