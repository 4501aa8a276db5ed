"""SPDX 2.2/2.3 (JSON and tag-value) and SPDX 3.0 (JSON-LD) to `Sbom` (ISO/SAE 21434 clause 8.3).

Packages become components; purls and CPEs come from external references (SPDX 2) or
`software_packageUrl` / external identifiers (SPDX 3). Relationships DEPENDS_ON / CONTAINS become dependency
edges. SPDX 3 VEX assessment relationships are kept as VEX statements. Plain parsing (not spdx-tools): the
tools' validating parser refuses whole documents for problems irrelevant to matching and is several times
slower on the 3-4 MB SBOMs of real containers.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from opencsms.engine.sbom.identifiers import canonical_cpe, canonical_purl, pairs
from opencsms.engine.sbom.model import (
    Component,
    Sbom,
    VexStatement,
    VexStatus,
    rejected_identifiers,
    text_value,
)

_EDGES = {
    "DEPENDS_ON": False,
    "CONTAINS": False,
    "DEPENDENCY_OF": True,
    "CONTAINED_BY": True,
    "dependsOn": False,
    "contains": False,
}
_PURL_KINDS = frozenset({"purl", "packageurl"})  # SPDX 2 referenceType, SPDX 3 externalIdentifierType
# SPDX 2.2/2.3 allow a referenceType written as the URI of a listed type (SPDX 2.3 Annex F:
# "http://spdx.org/rdf/references/cpe23Type"); it names the same type as the short form.
_REFERENCE_URIS = ("http://spdx.org/rdf/references/", "https://spdx.org/rdf/references/")
SPDX3_VEX = {
    "security_VexNotAffectedVulnAssessmentRelationship": VexStatus.NOT_AFFECTED,
    "security_VexAffectedVulnAssessmentRelationship": VexStatus.AFFECTED,
    "security_VexFixedVulnAssessmentRelationship": VexStatus.FIXED,
    "security_VexUnderInvestigationVulnAssessmentRelationship": VexStatus.UNDER_INVESTIGATION,
}


def _supplier(text: str) -> str:
    text = text.strip()
    return "" if text.upper() == "NOASSERTION" else re.sub(r"^(Organization|Person|Tool):\s*", "", text)


def reference_type(text: str) -> str:
    """A referenceType in its short, lower-case form ('cpe23type', 'purl'), also when written as a URI."""
    text = text.strip()
    if text.lower().startswith(_REFERENCE_URIS):
        text = text.rsplit("/", 1)[1]
    return text.lower()


def _identifiers(refs: list[tuple[str, str]]) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """The first valid purl and every valid CPE of a package's references (no repeats), and every
    identifier given that is not valid."""
    kinds = [(reference_type(kind), loc.strip()) for kind, loc in refs]
    purls = [(loc, canonical_purl(loc)) for kind, loc in kinds if kind in _PURL_KINDS and loc]
    cpes = [(loc, canonical_cpe(loc)) for kind, loc in kinds if kind.startswith("cpe") and loc]
    purl = next((canonical for _, canonical in purls if canonical), "")
    valid = tuple(dict.fromkeys(canonical for _, canonical in cpes if canonical))
    rejected = [rejected_identifiers(p, ("", "")) for p in purls] + [
        rejected_identifiers(("", ""), c) for c in cpes
    ]
    return purl, valid, tuple(text for texts in rejected for text in texts)


def _edges(triples: list[tuple[str, str, str]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    depends: dict[str, list[str]] = defaultdict(list)
    for source, kind, target in triples:
        if kind in _EDGES:
            a, b = (target, source) if _EDGES[kind] else (source, target)
            depends[a].append(b)
    return tuple((ref, tuple(targets)) for ref, targets in depends.items())


def _package(package: dict[str, Any]) -> Component:
    """One SPDX 2 package as a component; a value that is not text is left out and noted (`rejected`)."""
    refs = [
        (str(r.get("referenceType", "")), str(r.get("referenceLocator", "")))
        for r in package.get("externalRefs") or ()
        if isinstance(r, dict)
    ]
    purl, cpes, identifiers = _identifiers(refs)
    rejected: list[str] = []
    name = text_value(package.get("name"), "name", rejected)
    version = text_value(package.get("versionInfo"), "versionInfo", rejected)
    ref = text_value(package.get("SPDXID"), "SPDXID", rejected) or f"{name}@{version}"
    supplier = _supplier(text_value(package.get("supplier"), "supplier", rejected))
    hashes = pairs(package.get("checksums"), "algorithm", "checksumValue")
    cpe, *others = cpes or ("",)
    return Component(
        ref, name, version, purl, cpe, supplier, hashes, (*rejected, *identifiers), tuple(others)
    )


def parse_json2(data: dict[str, Any], file: str, serialisation: str = "JSON") -> Sbom:
    """An SPDX 2.x JSON (or YAML: the same structure) document, already loaded, to `Sbom`."""
    packages = data.get("packages") or ()
    components = [_package(p) for p in packages if isinstance(p, dict)]
    triples = [
        (
            str(r.get("spdxElementId", "")),
            str(r.get("relationshipType", "")),
            str(r.get("relatedSpdxElement", "")),
        )
        for r in data.get("relationships") or ()
    ]
    return Sbom(
        f"SPDX {str(data.get('spdxVersion', '')).removeprefix('SPDX-')} {serialisation}",
        str(data.get("name", "")),
        "",
        tuple(components),
        _edges(triples),
        (),
        file,
    )


class _TagValuePackage:
    def __init__(self, name: str) -> None:
        self.fields: dict[str, str] = {"PackageName": name}
        self.refs: list[tuple[str, str]] = []
        self.hashes: list[tuple[str, str]] = []

    def component(self) -> Component:
        purl, cpes, rejected = _identifiers(self.refs)
        cpe, *others = cpes or ("",)
        f = self.fields
        return Component(
            f.get("SPDXID", "") or f"{f['PackageName']}@{f.get('PackageVersion', '')}",
            f["PackageName"],
            f.get("PackageVersion", ""),
            purl,
            cpe,
            _supplier(f.get("PackageSupplier", "")),
            tuple(self.hashes),
            rejected,
            tuple(others),
        )


def _tag_values(text: str) -> list[tuple[str, str]]:
    """(tag, value) pairs; multi-line <text>...</text> values are joined."""
    pairs = []
    for match in re.finditer(r"^([A-Za-z][A-Za-z0-9]*):[ \t]*(<text>.*?</text>|[^\n]*)", text, re.M | re.S):
        pairs.append((match.group(1), match.group(2).strip()))
    return pairs


def parse_tag_value(text: str, file: str) -> Sbom:
    """An SPDX 2.x tag-value document to `Sbom`."""
    packages: list[_TagValuePackage] = []
    current: _TagValuePackage | None = None
    header: dict[str, str] = {}
    triples = []
    for tag, value in _tag_values(text.replace("\r\n", "\n").replace("\r", "\n")):
        if tag == "PackageName":
            current = _TagValuePackage(value)
            packages.append(current)
        elif tag == "FileName":
            current = None
        elif tag == "Relationship" and len(parts := value.split()) == 3:
            triples.append((parts[0], parts[1], parts[2]))
        elif current is None:
            header.setdefault(tag, value)
        elif tag == "ExternalRef" and len(parts := value.split()) >= 3:
            current.refs.append((parts[1], parts[2]))
        elif tag == "PackageChecksum" and ":" in value:
            alg, digest = value.split(":", 1)
            current.hashes.append((alg.strip(), digest.strip()))
        else:
            current.fields.setdefault(tag, value)
    return Sbom(
        f"SPDX {header.get('SPDXVersion', '').removeprefix('SPDX-')} tag-value",
        header.get("DocumentName", ""),
        "",
        tuple(p.component() for p in packages),
        _edges(triples),
        (),
        file,
    )


def _spdx3_vex(graph: list[dict[str, Any]], file: str) -> tuple[VexStatement, ...]:
    names: dict[str, str] = {}
    for element in graph:
        if element.get("type") == "security_Vulnerability":
            ids = [
                str(x.get("identifier", ""))
                for x in element.get("externalIdentifier") or ()
                if isinstance(x, dict)
            ]
            names[str(element.get("spdxId", ""))] = next(iter(ids), str(element.get("name", "")))
    return tuple(
        VexStatement(
            names.get(str(e.get("from", "")), str(e.get("from", ""))),
            SPDX3_VEX[str(e["type"])],
            tuple(str(t) for t in e.get("to") or ()),
            str(e.get("security_justificationType", "")),
            str(e.get("security_impactStatement", "")),
            str(e.get("security_actionStatement", "")),
            file,
        )
        for e in graph
        if e.get("type") in SPDX3_VEX
    )


def parse_spdx3(data: dict[str, Any], file: str) -> Sbom:
    """An SPDX 3.0 JSON-LD document (already loaded) to `Sbom`, with its VEX assessments."""
    graph = [e for e in data.get("@graph") or () if isinstance(e, dict)]
    names = {str(e.get("spdxId", "")): str(e.get("name", "")) for e in graph if e.get("name")}
    components = []
    for element in graph:
        if not str(element.get("type", "")).endswith("Package"):
            continue
        refs = [("purl", str(element.get("software_packageUrl", "")))]
        refs += [
            (str(x.get("externalIdentifierType", "")), str(x.get("identifier", "")))
            for x in element.get("externalIdentifier") or ()
            if isinstance(x, dict)
        ]
        purl, cpes, identifiers = _identifiers(refs)
        cpe, *others = cpes or ("",)
        supplier = element.get("suppliedBy")
        hashes = pairs(element.get("verifiedUsing"), "algorithm", "hashValue")
        rejected: list[str] = []
        components.append(
            Component(
                text_value(element.get("spdxId"), "spdxId", rejected),
                text_value(element.get("name"), "name", rejected),
                text_value(element.get("software_packageVersion"), "software_packageVersion", rejected),
                purl,
                cpe,
                names.get(str(supplier), str(supplier or "")),
                hashes,
                (*rejected, *identifiers),
                tuple(others),
            )
        )
    triples = [
        (str(r.get("from", "")), str(r.get("relationshipType", "")), str(t))
        for r in graph
        if str(r.get("type", "")).endswith("Relationship")
        for t in r.get("to") or ()
    ]
    document = next((e for e in graph if e.get("type") == "SpdxDocument"), {})
    return Sbom(
        "SPDX 3.0 JSON-LD",
        str(document.get("name", "")),
        "",
        tuple(components),
        _edges(triples),
        _spdx3_vex(graph, file),
        file,
    )
