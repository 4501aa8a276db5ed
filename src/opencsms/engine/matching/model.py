"""Findings: a component of a release affected by a vulnerability, with the evidence (ISO/SAE 21434 8.5).

One finding per component and vulnerability: advisories that alias each other (a GHSA, a GO id and the CVE)
are merged, and every advisory that matched leaves its `Evidence`: the range, version list or CPE.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from opencsms.engine.advisories.model import EpssScore, KevEntry
from opencsms.engine.sbom.model import Component, VexStatement, VexStatus


class MatchKind(StrEnum):
    """How a component met an advisory."""

    RANGE = "range"
    VERSION_LIST = "version-list"
    CPE = "cpe"
    NAME = "name"
    GIT_UNVERIFIED = "git-range-needs-evidence"


SEVERITY_ORDER = ("NONE", "UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL")


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why one advisory matched one component: the identifier compared and the range or versions hit."""

    advisory: str
    source: str
    kind: MatchKind
    identifier: str
    detail: str
    condition: str = ""


@dataclass(frozen=True, slots=True)
class Finding:
    """A vulnerability affecting a component of a release, merged over aliases, with its evidence."""

    id: str
    aliases: tuple[str, ...]
    component: Component
    evidence: tuple[Evidence, ...]
    severity: str = "UNKNOWN"
    score: float | None = None
    vectors: tuple[str, ...] = ()
    remediations: tuple[str, ...] = ()
    summary: str = ""
    release: str = ""
    kev: KevEntry | None = None
    epss: EpssScore | None = None
    vex: VexStatement | None = None
    severity_from: str = ""  # the alias whose CVSS gave the severity, when no matched record had one

    @property
    def severity_source(self) -> str:
        """Where the score came from, when not from the matched records: 'CVSS 7.5 from GHSA-xxxx'."""
        if not self.severity_from:
            return ""
        return f"CVSS {self.score:g} from {self.severity_from}" if self.score is not None else ""

    @property
    def ids(self) -> frozenset[str]:
        """The primary id and its aliases."""
        return frozenset((self.id, *self.aliases))

    @property
    def needs_evidence(self) -> bool:
        """True when only GIT commit ranges matched: the version cannot confirm or refute it."""
        return all(e.kind is MatchKind.GIT_UNVERIFIED for e in self.evidence)

    @property
    def status(self) -> VexStatus:
        """The VEX status applied to this finding, or 'affected' (needs evidence: under investigation)."""
        if self.vex is not None:
            return self.vex.status
        return VexStatus.UNDER_INVESTIGATION if self.needs_evidence else VexStatus.AFFECTED

    @property
    def open(self) -> bool:
        """Still to be treated: neither stated not affected nor fixed."""
        return self.status not in (VexStatus.NOT_AFFECTED, VexStatus.FIXED)
