"""The normalised SBOM every format is read into (ISO/SAE 21434 clause 8.3: the item's components).

Frozen values only. A component carries its purl and CPE 2.3 names (any may be empty; every CPE given
is kept), name, version, supplier, hashes and the references it depends on; VEX statements embedded in
the SBOM are kept as `VexStatement`s.
An identifier that is not a valid purl or CPE is kept out of matching but not dropped silently: the
component lists it in `rejected`, and `Sbom.problems` reports it (with components that have no name).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from opencsms.engine.errors import Problem


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
    rejected: tuple[
        str, ...
    ] = ()  # values given but not usable, e.g. "purl 'pkg:/x'", "version ['1'] (not text)"
    other_cpes: tuple[str, ...] = ()  # every further CPE the SBOM gives (SPDX lists several per package)

    @property
    def cpes(self) -> tuple[str, ...]:
        """Every CPE of the component, `cpe` first: all of them are matched."""
        return (self.cpe, *self.other_cpes) if self.cpe else self.other_cpes


def text_value(value: object, field: str, rejected: list[str]) -> str:
    """A JSON value as text: a string as it is, a number spelled out, nothing as "". A list, an object or
    a boolean is no text (its Python spelling, "['1']", would be stored as if it were): "" and the field
    noted in `rejected`."""
    if value is None or isinstance(value, str):
        return value or ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    shown = repr(value)
    rejected.append(f"{field} {shown if len(shown) <= 60 else shown[:57] + '...'} (not text)")
    return ""


def rejected_identifiers(purl: tuple[str, str], cpe: tuple[str, str]) -> tuple[str, ...]:
    """What a component loses: each (given, canonical) identifier given but without a canonical form."""
    return tuple(
        f"{kind} {given!r}"
        for kind, (given, canonical) in (("purl", purl), ("CPE", cpe))
        if given and not canonical
    )


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

    @property
    def problems(self) -> tuple[Problem, ...]:
        """What the SBOM gives that cannot be used: identifiers that are not valid purls or CPEs (the
        component is then not matched by them), values that are not text, components without a name."""
        found = []
        for component in self.components:
            label = component.name or component.ref
            found += [
                Problem("unusable-value", f"component {label!r}: {text} is not valid: left out", self.file)
                for text in component.rejected
            ]
            if not component.name.strip():
                found.append(Problem("no-name", f"component {component.ref!r} has no name", self.file))
        return tuple(found)
