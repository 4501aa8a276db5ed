"""SBOM intake (ISO/SAE 21434 clause 8.3, R155 7.2.2.2(g)): bytes -> `Sbom`, whatever the format.

`parse_sbom(raw, file)` detects the format and calls the parser registered for it in `SBOM_PARSERS`
(an explicit registry: no discovery). Every refusal is a `ParseError` naming the file and the problem.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from opencsms.engine import yamlsafe
from opencsms.engine.safeinput import load_json, load_xml, refuse
from opencsms.engine.sbom import cyclonedx, spdx
from opencsms.engine.sbom.model import Component, Sbom, VexStatement, VexStatus
from opencsms.engine.yamlsafe import decode

__all__ = [
    "SBOM_PARSERS",
    "Component",
    "Sbom",
    "VexStatement",
    "VexStatus",
    "detect_format",
    "load_sbom",
    "parse_sbom",
]


def _cyclonedx_json(raw: bytes, file: str) -> Sbom:
    return cyclonedx.parse_json(load_json(raw, file), file)


def _cyclonedx_xml(raw: bytes, file: str) -> Sbom:
    return cyclonedx.parse_xml(load_xml(raw, file), file)


def _spdx_json(raw: bytes, file: str) -> Sbom:
    return spdx.parse_json2(load_json(raw, file), file)


def _spdx_tag_value(raw: bytes, file: str) -> Sbom:
    return spdx.parse_tag_value(decode(raw, file), file)


def _spdx_yaml(raw: bytes, file: str) -> Sbom:
    data = yamlsafe.load(raw, file, every_value=False).data  # no aliases, no tags, bounded depth
    if not isinstance(data, dict):
        raise refuse(file, "not-an-sbom", "the YAML document is not a mapping")
    return spdx.parse_json2(data, file, "YAML")


def _spdx3(raw: bytes, file: str) -> Sbom:
    return spdx.parse_spdx3(load_json(raw, file), file)


SBOM_PARSERS: dict[str, Callable[[bytes, str], Sbom]] = {
    "cyclonedx-json": _cyclonedx_json,
    "cyclonedx-xml": _cyclonedx_xml,
    "spdx-json": _spdx_json,
    "spdx-tag-value": _spdx_tag_value,
    "spdx-yaml": _spdx_yaml,
    "spdx3-jsonld": _spdx3,
}


def _json_kind(data: Any, file: str) -> str:
    if not isinstance(data, dict):
        raise refuse(file, "not-an-sbom", "the JSON document is not an object")
    if data.get("bomFormat") == "CycloneDX":
        return "cyclonedx-json"
    if str(data.get("spdxVersion", "")).startswith("SPDX-2"):
        return "spdx-json"
    if "spdx" in str(data.get("@context", "")).lower() and "@graph" in data:
        return "spdx3-jsonld"
    if "spdxVersion" in data:
        raise refuse(
            file, "unsupported-version", f"SPDX version {data['spdxVersion']!r}; 2.2, 2.3 and 3.0 are read"
        )
    raise refuse(file, "not-an-sbom", "JSON without bomFormat CycloneDX, spdxVersion or an SPDX 3 @graph")


def detect_format(raw: bytes, file: str) -> str:
    """The registry key of the SBOM format of `raw`, or a `ParseError` saying why it is none."""
    head = raw[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        if b"<rdf:RDF" in raw[:65536]:
            raise refuse(file, "unsupported-format", "SPDX RDF/XML is not read; convert it to SPDX JSON")
        return "cyclonedx-xml"
    if head.startswith((b"{", b"[")):
        return _json_kind(load_json(raw, file), file)
    if b"SPDXVersion:" in raw[:65536]:
        return "spdx-tag-value"
    if b"spdxVersion:" in raw[:65536]:
        return "spdx-yaml"
    decode(raw, file)  # names an encoding problem before the generic refusal
    raise refuse(file, "not-an-sbom", "neither JSON, XML nor SPDX tag-value")


def parse_sbom(raw: bytes, file: str = "<input>") -> Sbom:
    """A CycloneDX 1.2-1.6 (JSON/XML), SPDX 2.2/2.3 (JSON/YAML/tag-value) or SPDX 3.0 document to `Sbom`."""
    return SBOM_PARSERS[detect_format(raw, file)](raw, file)


def load_sbom(path: Path) -> Sbom:
    """`parse_sbom` on a file."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise refuse(str(path), "unreadable", exc.strerror or str(exc)) from None
    return parse_sbom(raw, str(path))
