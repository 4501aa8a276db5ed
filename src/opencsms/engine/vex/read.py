"""VEX documents to statements (ISO/SAE 21434 clause 8.6: vulnerability status, with its justification).

OpenVEX, CycloneDX VEX (JSON or XML: the `vulnerabilities` with an `analysis`), CSAF VEX (product status)
and SPDX 3 VEX relationships, detected by shape. Registered in `VEX_READERS` (explicit; no discovery).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from opencsms.engine.advisories.csaf import csaf_vex
from opencsms.engine.safeinput import load_json, load_xml, refuse
from opencsms.engine.sbom import cyclonedx, spdx
from opencsms.engine.sbom.model import VexStatement, VexStatus


def _product_ids(products: Any) -> tuple[str, ...]:
    found: list[str] = []
    for product in products or ():
        if isinstance(product, str):
            found.append(product)
        elif isinstance(product, dict):
            found.append(str(product.get("@id", "")))
            found.extend(
                str(s.get("@id", "")) for s in product.get("subcomponents") or () if isinstance(s, dict)
            )
            identifiers = product.get("identifiers") or {}
            found.extend(str(v) for v in identifiers.values()) if isinstance(identifiers, dict) else None
    return tuple(p for p in found if p)


def openvex_statements(data: dict[str, Any], file: str) -> tuple[VexStatement, ...]:
    """OpenVEX `statements`: vulnerability name or @id, products and subcomponents, status, justification."""
    statements = []
    for item in data.get("statements") or ():
        if not isinstance(item, dict):
            continue
        vulnerability = item.get("vulnerability")
        name = (
            vulnerability.get("name") or vulnerability.get("@id")
            if isinstance(vulnerability, dict)
            else vulnerability
        )
        try:
            status = VexStatus(str(item.get("status", "")))
        except ValueError:
            raise refuse(file, "openvex", f"unknown status {item.get('status')!r}") from None
        statements.append(
            VexStatement(
                str(name or ""),
                status,
                _product_ids(item.get("products")),
                str(item.get("justification", "")),
                str(item.get("impact_statement", "")),
                str(item.get("action_statement", "")),
                str(data.get("@id", file)),
            )
        )
    return tuple(statements)


def _json_kind(data: Any) -> str:
    if not isinstance(data, dict):
        return ""
    if "openvex" in str(data.get("@context", "")):
        return "openvex"
    if data.get("bomFormat") == "CycloneDX":
        return "cyclonedx"
    if isinstance(data.get("document"), dict):
        return "csaf"
    if "@graph" in data:
        return "spdx3"
    return ""


VEX_READERS: dict[str, Callable[[Any, str], tuple[VexStatement, ...]]] = {
    "openvex": openvex_statements,
    "cyclonedx": lambda data, file: cyclonedx.json_vex(data.get("vulnerabilities"), file),
    "csaf": csaf_vex,
    "spdx3": lambda data, file: spdx.parse_spdx3(data, file).vex,
}


VEX_KINDS = {"openvex": "OpenVEX", "cyclonedx": "CycloneDX VEX", "csaf": "CSAF VEX", "spdx3": "SPDX 3 VEX"}


def vex_kind(raw: bytes, file: str = "<input>") -> str:
    """The document's kind as a person names it ("OpenVEX", "CycloneDX VEX"...), or "" for none."""
    if raw.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return VEX_KINDS["cyclonedx"]
    return VEX_KINDS.get(_json_kind(load_json(raw, file)), "")


def parse_vex(raw: bytes, file: str = "<input>") -> tuple[VexStatement, ...]:
    """The statements of an OpenVEX, CycloneDX (JSON/XML), CSAF VEX or SPDX 3 document."""
    if raw.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return cyclonedx.parse_xml(load_xml(raw, file), file).vex
    data = load_json(raw, file)
    kind = _json_kind(data)
    if not kind:
        raise refuse(file, "not-vex", "not OpenVEX, CycloneDX, CSAF or SPDX 3")
    return VEX_READERS[kind](data, file)
