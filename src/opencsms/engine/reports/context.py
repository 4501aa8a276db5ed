"""What every section builder needs from a `TaraResult`: names by id, level labels, catalogue entries."""

from __future__ import annotations

from collections.abc import Iterable

from opencsms.engine.catalogue import annex5, vocabulary, work_products
from opencsms.engine.catalogue.schema import Annex5Threat
from opencsms.engine.documents import Block, Section
from opencsms.engine.method.profile import MethodProfile
from opencsms.engine.reports.architecture import Architecture, architecture
from opencsms.engine.tara.model import (
    CalMethod,
    FeasibilityMethod,
    TaraModel,
    ThreatScenario,
    TreatmentDecision,
)
from opencsms.engine.tara.result import TaraResult

ISO = "ISO/SAE 21434:2021"  # the standard the work products and clauses are of
METHOD_LABELS = {
    FeasibilityMethod.ATTACK_POTENTIAL: "Attack potential",
    FeasibilityMethod.CVSS: "CVSS exploitability",
    FeasibilityMethod.ATTACK_VECTOR: "Attack vector",
}
CAL_METHODS = {
    CalMethod.ANNEX_E: "ISO/SAE 21434 Annex E (impact x attack vector)",
    CalMethod.RISK_BASED: "risk-based mapping of the risk value (a vendor convention, not ISO/SAE 21434)",
}


class Context:
    """Read-only lookups over one evaluated TARA, shared by the section builders."""

    def __init__(self, result: TaraResult) -> None:
        self.result = result
        self.model: TaraModel = result.model
        self.profile: MethodProfile = result.profile
        self.threats: dict[str, ThreatScenario] = {t.id: t for t in self.model.threat_scenarios}
        # rejected, merged and obsolete threat scenarios are not part of the risk assessment
        self.threat_scenarios = tuple(t for t in self.model.threat_scenarios if t.in_analysis)
        catalogue = annex5()
        self._annex5_ids = catalogue.threat_ids()
        self._annex5 = {t.id: t for t in catalogue.threats}
        self._stride = {s.id: s.label for s in vocabulary().stride}
        self._vectors = {k.id: k.vector for k in vocabulary().interface_kinds}
        self._wps = {wp.id: wp for wp in work_products().work_products}

    # -- labels --------------------------------------------------------------------------------------

    def impact(self, level: str | None) -> str | None:
        return None if level is None else self.profile.impact.labels.get(level, level)

    def feasibility(self, level: str | None) -> str | None:
        return None if level is None else self.profile.feasibility.labels.get(level, level)

    def stride(self, letter: str | None) -> str | None:
        return None if letter is None else f"{letter} ({self._stride.get(letter, letter)})"

    def interface_vector(self, kind: str) -> str:
        return self._vectors.get(kind, "")

    # -- catalogue entries ---------------------------------------------------------------------------

    def annex5_id(self, ref: str) -> str:
        """The canonical UN R155 Annex 5 id of a threat reference (ids and aliases are accepted)."""
        return self._annex5_ids.get(ref, ref)

    def annex5_threat(self, ref: str) -> Annex5Threat | None:
        return self._annex5.get(self.annex5_id(ref))

    def section(self, wp_id: str, short_title: str, intro: str, blocks: Iterable[Block]) -> Section:
        """A work-product section named and placed by the ISO/SAE 21434 work-product catalogue."""
        wp = self._wps[wp_id]
        return Section(wp.id, wp.name, short_title, wp.clause, intro, tuple(blocks), standard=ISO)

    def architecture(self) -> Architecture:
        """The architecture for the pictures, entry points labelled with their attack vector."""
        vectors = {x.id: self.interface_vector(x.kind) for x in self.model.interfaces if x.external}
        return architecture(self.model, vectors)

    # -- model relations -----------------------------------------------------------------------------

    def decision(self, threat_id: str) -> TreatmentDecision | None:
        return self.threats[threat_id].treatment

    def threats_of(self, *, damage: str | None = None, asset: str | None = None) -> tuple[str, ...]:
        """The threat scenarios in the analysis that lead to `damage` or target `asset`."""
        return tuple(
            t.id
            for t in self.threat_scenarios
            if (damage is None or damage in t.damage_scenarios) and (asset is None or t.asset == asset)
        )
