"""UN R155 Annex 5 coverage: every Part A threat against the TARA, every Part B/C mitigation against its
controls (R155 7.3.3 asks that all Part A threats be considered; 7.3.4 that relevant mitigations be used).

A threat is covered when an accepted threat scenario in the analysis names it; `pending` when only
proposed (unreviewed) ones do; `not_applicable` when the TARA says why; `uncovered` otherwise. Draft-era
entries (group 14) are listed but never required.
"""

from __future__ import annotations

from dataclasses import dataclass

from opencsms.engine.catalogue import annex5
from opencsms.engine.tara.model import ReviewStatus, TaraModel

# A Part A threat's coverage, least covered first
THREAT_STATES = ("uncovered", "pending", "covered", "not_applicable")


@dataclass(frozen=True)
class ThreatCoverage:
    id: str
    category: str
    summary: str
    required: bool  # False for draft-only entries
    status: str  # one of THREAT_STATES
    threats: tuple[str, ...]  # threat scenarios naming it
    rationale: str = ""


@dataclass(frozen=True)
class MitigationCoverage:
    id: str
    summary: str
    status: str  # implemented | not_applicable | missing
    controls: tuple[str, ...]
    rationale: str = ""


@dataclass(frozen=True)
class Annex5Coverage:
    threats: tuple[ThreatCoverage, ...]
    mitigations: tuple[MitigationCoverage, ...]

    def count(self, status: str) -> int:
        return sum(1 for t in self.threats if t.required and t.status == status)

    @property
    def required(self) -> int:
        return sum(1 for t in self.threats if t.required)

    @property
    def gaps(self) -> tuple[ThreatCoverage, ...]:
        return tuple(t for t in self.threats if t.required and t.status in ("uncovered", "pending"))

    @property
    def missing_mitigations(self) -> tuple[MitigationCoverage, ...]:
        return tuple(m for m in self.mitigations if m.status == "missing")


def annex5_coverage(model: TaraModel) -> Annex5Coverage:
    catalogue = annex5()
    canonical = catalogue.threat_ids()  # aliases (22.2) -> ids (22.1)
    not_applicable = {
        canonical.get(entry.id, entry.id): entry.rationale for entry in model.annex5_not_applicable
    }
    accepted: dict[str, list[str]] = {}
    proposed: dict[str, list[str]] = {}
    for threat in model.threat_scenarios:
        if not threat.in_analysis:
            continue
        bucket = accepted if threat.status is ReviewStatus.ACCEPTED else proposed
        for ref in threat.annex5:
            bucket.setdefault(canonical.get(ref, ref), []).append(threat.id)
    threats = []
    for entry in catalogue.threats:
        named = tuple(accepted.get(entry.id, [])) + tuple(proposed.get(entry.id, []))
        if entry.id in accepted:
            status = "covered"
        elif entry.id in not_applicable:
            status = "not_applicable"
        else:
            status = "pending" if entry.id in proposed else "uncovered"
        threats.append(
            ThreatCoverage(
                entry.id,
                entry.category,
                entry.summary,
                entry.status != "draft_only",
                status,
                named,
                not_applicable.get(entry.id, ""),
            )
        )
    realised: dict[str, list[str]] = {}
    for control in model.controls:
        for mitigation_id in control.mitigations:
            realised.setdefault(mitigation_id, []).append(control.id)
    mitigations = []
    for mitigation in catalogue.mitigations:
        controls = tuple(realised.get(mitigation.id, []))
        status = (
            "implemented" if controls else "not_applicable" if mitigation.id in not_applicable else "missing"
        )
        mitigations.append(
            MitigationCoverage(
                mitigation.id, mitigation.summary, status, controls, not_applicable.get(mitigation.id, "")
            )
        )
    return Annex5Coverage(tuple(threats), tuple(mitigations))
