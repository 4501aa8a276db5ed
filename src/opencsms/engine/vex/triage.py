"""What a VEX document says, as triage (ISO/SAE 21434 8.6): the justification in CISA's vocabulary and
when the document was issued.

Justifications. OpenVEX and CSAF VEX (its `flags`' labels) use CISA's five "not affected" justifications
(CISA, "Vulnerability Exploitability eXchange (VEX) - Status Justifications", 2022). CycloneDX 1.4+ has
its own list (`impactAnalysisJustification`); each is mapped to the CISA justification that states the
same reason, and the CycloneDX word is kept in the finding's rationale:
- `code_not_present` -> `vulnerable_code_not_present`; `code_not_reachable` ->
  `vulnerable_code_not_in_execute_path`;
- `requires_dependency` (a dependency that is not present) -> `component_not_present`;
- `requires_configuration`, `requires_environment` (an option or an environment the product does not
  have) -> `vulnerable_code_cannot_be_controlled_by_adversary`;
- `protected_by_compiler`, `protected_at_runtime`, `protected_at_perimeter`,
  `protected_by_mitigating_control` -> `inline_mitigations_already_exist`.

Issued: OpenVEX `last_updated` or `timestamp`; CycloneDX `metadata.timestamp`; CSAF
`document.tracking.current_release_date`; SPDX 3 the first `creationInfo.created`. "" when the document
gives none (CycloneDX XML is not read for it).
"""

from __future__ import annotations

from typing import Any

from opencsms.engine.safeinput import load_json

CISA_JUSTIFICATIONS = (
    "component_not_present",
    "vulnerable_code_not_present",
    "vulnerable_code_not_in_execute_path",
    "vulnerable_code_cannot_be_controlled_by_adversary",
    "inline_mitigations_already_exist",
)
CYCLONEDX_JUSTIFICATIONS = {
    "code_not_present": "vulnerable_code_not_present",
    "code_not_reachable": "vulnerable_code_not_in_execute_path",
    "requires_dependency": "component_not_present",
    "requires_configuration": "vulnerable_code_cannot_be_controlled_by_adversary",
    "requires_environment": "vulnerable_code_cannot_be_controlled_by_adversary",
    "protected_by_compiler": "inline_mitigations_already_exist",
    "protected_at_runtime": "inline_mitigations_already_exist",
    "protected_at_perimeter": "inline_mitigations_already_exist",
    "protected_by_mitigating_control": "inline_mitigations_already_exist",
}


def cisa_justification(text: str) -> str:
    """The CISA justification a statement's justification states, or "" when it is none of them."""
    word = text.strip().lower()
    if word in CISA_JUSTIFICATIONS:
        return word
    return CYCLONEDX_JUSTIFICATIONS.get(word, "")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def issued(raw: bytes, file: str = "<input>") -> str:
    """When the VEX document was issued, as it writes it (ISO 8601), or ""."""
    if raw.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return ""
    data = load_json(raw, file)
    if not isinstance(data, dict):
        return ""
    metadata, document = data.get("metadata"), data.get("document")
    if isinstance(metadata, dict):
        return _text(metadata.get("timestamp"))
    if isinstance(document, dict):
        tracking = document.get("tracking")
        return _text(tracking.get("current_release_date")) if isinstance(tracking, dict) else ""
    for item in data.get("@graph") or ():
        info = item.get("creationInfo") if isinstance(item, dict) else None
        if isinstance(info, dict) and _text(info.get("created")):
            return _text(info.get("created"))
    return _text(data.get("last_updated")) or _text(data.get("timestamp"))
