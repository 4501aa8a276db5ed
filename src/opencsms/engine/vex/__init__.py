"""VEX (ISO/SAE 21434 clause 8.6): read statements of any format, apply them to findings, export findings.

Public API: `parse_vex(raw, file)`, `apply_vex(findings, statements)`, `openvex(...)`, `cyclonedx_vex(...)`,
`csaf_vex(...)` (each returns a JSON-ready dict).
"""

from opencsms.engine.vex.apply import apply_vex, names_component
from opencsms.engine.vex.export import csaf_vex, cyclonedx_vex, openvex
from opencsms.engine.vex.read import VEX_READERS, parse_vex

__all__ = ["VEX_READERS", "apply_vex", "csaf_vex", "cyclonedx_vex", "names_component", "openvex", "parse_vex"]
