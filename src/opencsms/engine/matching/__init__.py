"""Matching SBOM components against advisories (ISO/SAE 21434 clause 8.5, R155 7.2.2.2(g)).

Public API: `match(sbom, advisories)`, `AdvisoryIndex`, `PortfolioIndex` (add_release / remove_release /
match_advisory / match_all), `merge_findings`, `enrich` and `exploitation` (KEV, EPSS), `Finding`,
`Evidence`, `MatchKind`.
"""

from opencsms.engine.matching.index import AdvisoryIndex, PortfolioIndex, match
from opencsms.engine.matching.merge import enrich, exploitation, merge_findings
from opencsms.engine.matching.model import Evidence, Finding, MatchKind

__all__ = [
    "AdvisoryIndex",
    "Evidence",
    "Finding",
    "MatchKind",
    "PortfolioIndex",
    "enrich",
    "exploitation",
    "match",
    "merge_findings",
]
