"""CycloneDX 1.2-1.6 (JSON and XML) to `Sbom`, keeping embedded VEX (the `vulnerabilities` array).

Plain parsing with our own normalisation rather than cyclonedx-python-lib: the library validates strictly
(real SBOMs with a bad purl would be refused whole) and builds heavy models; we only need the identifiers,
and we keep a bad identifier as "" so the rest of the SBOM is still analysed (ISO/SAE 21434 clause 8.3).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any
from xml.etree.ElementTree import Element

from opencsms.engine.safeinput import MAX_DEPTH, refuse
from opencsms.engine.sbom.identifiers import canonical_cpe, canonical_purl, pairs
from opencsms.engine.sbom.model import (
    Component,
    Sbom,
    VexStatement,
    VexStatus,
    rejected_identifiers,
    text_value,
)

CYCLONEDX_STATES = {
    "not_affected": VexStatus.NOT_AFFECTED,
    "false_positive": VexStatus.NOT_AFFECTED,
    "resolved": VexStatus.FIXED,
    "resolved_with_pedigree": VexStatus.FIXED,
    "exploitable": VexStatus.AFFECTED,
    "in_triage": VexStatus.UNDER_INVESTIGATION,
}


def _component(draft: Component) -> Component:
    """The component with canonical identifiers (invalid ones listed in `rejected`) and a reference even
    when the SBOM gives none."""
    purl = canonical_purl(draft.purl) if draft.purl else ""
    cpe = canonical_cpe(draft.cpe) if draft.cpe else ""
    rejected = draft.rejected + rejected_identifiers((draft.purl, purl), (draft.cpe, cpe))
    others = []
    for given in draft.other_cpes:
        rejected += rejected_identifiers(("", ""), (given, canonical_cpe(given)))
        others.append(canonical_cpe(given))
    cpes = tuple(c for c in dict.fromkeys((cpe, *others)) if c)
    ref = draft.ref or purl or f"{draft.name}@{draft.version}"
    cpe, other_cpes = (cpes[0], cpes[1:]) if cpes else ("", ())
    return replace(draft, ref=ref, purl=purl, cpe=cpe, rejected=rejected, other_cpes=other_cpes)


def _identity_cpes(item: dict[str, Any]) -> tuple[str, ...]:
    """CPEs a CycloneDX 1.5/1.6 component's `evidence.identity` concludes (one object in 1.5, a list in
    1.6; `field: cpe`): kept beside `cpe`, since a tool may find more than the one the component names."""
    evidence = item.get("evidence")
    identity = evidence.get("identity") if isinstance(evidence, dict) else None
    entries = identity if isinstance(identity, list) else [identity]
    return tuple(
        str(e["concludedValue"])
        for e in entries
        if isinstance(e, dict) and e.get("field") == "cpe" and isinstance(e.get("concludedValue"), str)
    )


def _json_components(items: Any, depth: int = 0) -> Iterator[Component]:
    if depth > MAX_DEPTH:
        return
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        supplier = item.get("supplier") or {}
        rejected: list[str] = []
        ref, name, version, purl, cpe = (
            text_value(item.get(key), key, rejected) for key in ("bom-ref", "name", "version", "purl", "cpe")
        )
        by = supplier.get("name", "") if isinstance(supplier, dict) else item.get("publisher")
        supplied_by = text_value(by, "supplier", rejected)
        hashes = pairs(item.get("hashes"), "alg", "content")
        draft = Component(ref, name, version, purl, cpe, supplied_by, hashes, tuple(rejected))
        yield _component(replace(draft, other_cpes=_identity_cpes(item)))
        yield from _json_components(item.get("components"), depth + 1)


def json_vex(vulnerabilities: Any, source: str) -> tuple[VexStatement, ...]:
    """CycloneDX `vulnerabilities` entries that carry an analysis, as VEX statements."""
    statements = []
    for vuln in vulnerabilities if isinstance(vulnerabilities, list) else []:
        analysis = vuln.get("analysis") if isinstance(vuln, dict) else None
        if not isinstance(analysis, dict) or analysis.get("state") not in CYCLONEDX_STATES:
            continue
        refs = tuple(str(a.get("ref", "")) for a in vuln.get("affects") or () if isinstance(a, dict))
        statements.append(
            VexStatement(
                str(vuln.get("id", "")),
                CYCLONEDX_STATES[analysis["state"]],
                refs,
                str(analysis.get("justification", "")),
                str(analysis.get("detail", "")),
                ", ".join(str(r) for r in analysis.get("response") or ()),
                source,
            )
        )
    return tuple(statements)


def parse_json(data: dict[str, Any], file: str) -> Sbom:
    """A CycloneDX JSON document (already loaded) to `Sbom`."""
    spec = str(data.get("specVersion", ""))
    metadata = data.get("metadata") or {}
    subject = metadata.get("component") or {} if isinstance(metadata, dict) else {}
    dependencies = tuple(
        (str(d.get("ref", "")), tuple(str(x) for x in d.get("dependsOn") or ()))
        for d in data.get("dependencies") or ()
        if isinstance(d, dict)
    )
    return Sbom(
        f"CycloneDX {spec} JSON",
        str(subject.get("name", "")),
        str(subject.get("version", "")),
        _with_subject(
            _json_components([subject] if subject else []), _json_components(data.get("components"))
        ),
        dependencies,
        json_vex(data.get("vulnerabilities"), file),
        file,
    )


def _with_subject(subject: Iterator[Component], components: Iterator[Component]) -> tuple[Component, ...]:
    """The components, preceded by the SBOM's own subject (metadata.component) unless it is listed too: the
    product itself can be vulnerable, and product-level VEX statements name it."""
    listed = tuple(components)
    refs = {c.ref for c in listed}
    return tuple(c for c in subject if c.ref not in refs) + listed


_OTHER_XML = {
    "Document": "SPDX XML is not read; convert it to SPDX JSON",
    "SoftwareIdentity": "a SWID tag identifies one product; it lists no components to match",
}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element: Element, name: str) -> Element | None:
    return next((c for c in element if _local(c.tag) == name), None)


def _text(element: Element, name: str) -> str:
    child = _child(element, name)
    return (child.text or "").strip() if child is not None else ""


def _xml_components(parent: Element | None) -> Iterator[Component]:
    for item in parent if parent is not None else ():
        if _local(item.tag) != "component":
            continue
        supplier = _child(item, "supplier")
        hashes_el = _child(item, "hashes")
        hashes = tuple((h.get("alg", ""), (h.text or "").strip()) for h in hashes_el or ())
        yield _component(
            Component(
                item.get("bom-ref", ""),
                _text(item, "name"),
                _text(item, "version"),
                _text(item, "purl"),
                _text(item, "cpe"),
                _text(supplier, "name") if supplier is not None else _text(item, "publisher"),
                hashes,
            )
        )
        yield from _xml_components(_child(item, "components"))


def _xml_vex(root: Element, file: str) -> tuple[VexStatement, ...]:
    statements = []
    for vuln in _child(root, "vulnerabilities") or ():
        analysis = _child(vuln, "analysis")
        state = _text(analysis, "state") if analysis is not None else ""
        if analysis is None or state not in CYCLONEDX_STATES:
            continue
        affects = _child(vuln, "affects")
        refs = tuple(_text(t, "ref") for t in affects or ())
        statements.append(
            VexStatement(
                _text(vuln, "id"),
                CYCLONEDX_STATES[state],
                refs,
                _text(analysis, "justification"),
                _text(analysis, "detail"),
                "",
                file,
            )
        )
    return tuple(statements)


def parse_xml(root: Element, file: str) -> Sbom:
    """A CycloneDX XML document (parsed through defusedxml) to `Sbom`."""
    if _local(root.tag) in _OTHER_XML:
        raise refuse(file, "unsupported-format", _OTHER_XML[_local(root.tag)])
    if _local(root.tag) != "bom":
        raise refuse(file, "not-an-sbom", f"the XML root is <{_local(root.tag)}>, not a CycloneDX <bom>")
    spec = root.tag.split("/bom/", 1)[-1].split("}", 1)[0] if "/bom/" in root.tag else "?"
    metadata = _child(root, "metadata")
    subject = _child(metadata, "component") if metadata is not None else None
    dependencies = tuple(
        (d.get("ref", ""), tuple(x.get("ref", "") for x in d)) for d in _child(root, "dependencies") or ()
    )
    return Sbom(
        f"CycloneDX {spec} XML",
        _text(subject, "name") if subject is not None else "",
        _text(subject, "version") if subject is not None else "",
        _with_subject(_xml_components(metadata), _xml_components(_child(root, "components"))),
        dependencies,
        _xml_vex(root, file),
        file,
    )
