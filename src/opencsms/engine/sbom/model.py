"""The normalised SBOM every format is read into (ISO/SAE 21434 clause 8.3: the item's components).

Frozen values only. A component carries its purl and CPE 2.3 (either may be empty), name, version, supplier,
hashes and the references it depends on; VEX statements embedded in the SBOM are kept as `VexStatement`s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class VexStatus(StrEnum):
    """The four VEX states shared by CycloneDX, CSAF, OpenVEX and SPDX 3 (CISA minimum elements)."""

    NOT_AFFECTED = "not_affected"
    AFFECTED = "affected"
    FIXED = "fixed"
    UNDER_INVESTIGATION = "under_investigation"


@dataclass(frozen=True, slots=True)
class Component:
    """One component of a release: the unit that is matched against advisories."""

    ref: str
    name: str
    version: str = ""
    purl: str = ""
    cpe: str = ""
    supplier: str = ""
    hashes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class VexStatement:
    """A producer's statement that a vulnerability does or does not affect a product (purl or reference)."""

    vulnerability: str
    status: VexStatus
    products: tuple[str, ...]
    justification: str = ""
    detail: str = ""
    action: str = ""
    source: str = ""


@dataclass(frozen=True, slots=True)
class Sbom:
    """A parsed SBOM: its format, subject, components, dependency edges and embedded VEX."""

    format: str
    name: str
    version: str
    components: tuple[Component, ...]
    dependencies: tuple[tuple[str, tuple[str, ...]], ...] = ()
    vex: tuple[VexStatement, ...] = field(default=())
    file: str = ""
