"""The normalised advisory every feed is read into (ISO/SAE 21434 clause 8.4: vulnerability information).

An `Affected` names a package (purl type, namespace, name) or a CPE pattern, and the versions it covers:
explicit `versions` and `ranges` of OSV-style events. NVD's exclusive lower bound, which OSV cannot say, is
the extra event kind `introduced_after`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class RangeKind(StrEnum):
    """How a range's versions are ordered: SEMVER / ECOSYSTEM (the package's ecosystem), GIT (commits)."""

    SEMVER = "SEMVER"
    ECOSYSTEM = "ECOSYSTEM"
    GIT = "GIT"


EVENT_KINDS = ("introduced", "introduced_after", "fixed", "last_affected", "limit")


@dataclass(frozen=True, slots=True)
class Event:
    """One OSV range event: `kind` is one of EVENT_KINDS."""

    kind: str
    version: str


@dataclass(frozen=True, slots=True)
class Range:
    """A list of events in one ordering; GIT ranges cannot be evaluated against a version string."""

    kind: RangeKind
    events: tuple[Event, ...]
    repo: str = ""


@dataclass(frozen=True, slots=True)
class Affected:
    """A package (or CPE pattern) and the versions of it an advisory says are affected."""

    purl_type: str
    namespace: str
    name: str
    ranges: tuple[Range, ...] = ()
    versions: tuple[str, ...] = ()
    cpe: str = ""
    ecosystem: str = ""
    condition: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        """The inverted-index key: (purl type or 'cpe', namespace or vendor, name or product)."""
        return (self.purl_type, self.namespace, self.name)


@dataclass(frozen=True, slots=True)
class Severity:
    """A CVSS vector (or a plain rating) as published; scored by the matching layer."""

    kind: str
    vector: str
    score: float | None = None


@dataclass(frozen=True, slots=True)
class Advisory:
    """One vulnerability record from OSV, NVD, CVE JSON 5 or CSAF."""

    id: str
    source: str
    aliases: tuple[str, ...] = ()
    summary: str = ""
    published: str = ""
    modified: str = ""
    withdrawn: str = ""
    severities: tuple[Severity, ...] = ()
    affected: tuple[Affected, ...] = ()
    remediations: tuple[str, ...] = ()
    document: str = ""
    problems: tuple[str, ...] = ()  # what of the record could not be read (left out of matching), named

    @property
    def origin(self) -> str:
        """Where the record came from: its source, and the document holding it (a CSAF tracking id)."""
        return f"{self.source} {self.document}" if self.document else self.source

    @property
    def ids(self) -> frozenset[str]:
        """The advisory's id and every alias: findings sharing one are merged."""
        return frozenset((self.id, *self.aliases))


@dataclass(frozen=True, slots=True)
class KevEntry:
    """A CISA Known Exploited Vulnerabilities catalogue entry."""

    cve: str
    date_added: str
    due_date: str = ""
    ransomware: str = ""
    required_action: str = ""


@dataclass(frozen=True, slots=True)
class EpssScore:
    """FIRST EPSS: probability of exploitation in the next 30 days and its percentile."""

    cve: str
    epss: float
    percentile: float
