"""Building threat scenarios: attack trees with their ratings, treatment and review status."""

from __future__ import annotations

from opencsms.engine.tara import model as m
from opencsms.engine.tara_as_code import schema as s
from opencsms.engine.tara_as_code.build_base import LATE_KIND, BuilderBase
from opencsms.engine.yamlsafe import Path


class ThreatBuilder(BuilderBase):
    def node(self, doc: s.NodeDoc, at: Path, default_id: str, method: m.FeasibilityMethod) -> m.Node:
        node_id = doc.id or default_id
        if doc.id:
            self.declare(doc.id, LATE_KIND, at)
        gate = doc.and_ if doc.and_ is not None else doc.or_
        if gate is not None:
            key = "and" if doc.and_ is not None else "or"
            children = tuple(
                self.node(child, (*at, key, i), f"{node_id}.{i + 1}", method) for i, child in enumerate(gate)
            )
            return m.Gate(node_id, doc.name, key, children)
        interface = self.ref(doc.interface, "interface", (*at, "interface")) if doc.interface else None
        rating = self.rating(doc, at)
        residual: m.Rating | None = None
        controls: tuple[str, ...] = ()
        if doc.residual is not None:
            residual = self.rating(doc.residual, (*at, "residual"), partial=True)
            controls = self.refs(doc.residual.controls, "control", (*at, "residual", "controls"))
        self.needs_input(rating, interface, method, at)
        return m.Step(node_id, doc.name, rating, interface, controls, residual)

    def needs_input(
        self, rating: m.Rating, interface: str | None, method: m.FeasibilityMethod, at: Path
    ) -> None:
        """A step carries the input its path's rating approach needs (Annex G)."""
        if method is m.FeasibilityMethod.ATTACK_POTENTIAL and rating.attack_potential is None:
            self.problem(at, "missing-rating", "this step needs `attack_potential` (the path is rated by it)")
        elif method is m.FeasibilityMethod.CVSS and rating.cvss is None:
            self.problem(at, "missing-rating", "this step needs `cvss` (the path is rated by it)")
        elif method is m.FeasibilityMethod.ATTACK_VECTOR and not (rating.vector or rating.cvss or interface):
            self.problem(
                at, "missing-rating", "this step needs `vector` or an `interface` (the path is rated by it)"
            )

    def attack_paths(self, threat: s.ThreatScenarioDoc, at: Path) -> tuple[m.AttackPath, ...]:
        paths = []
        for j, doc in enumerate(threat.attack_paths):
            here: Path = (*at, "attack_paths", j)
            method = m.FeasibilityMethod(doc.method) if doc.method else self.default_method
            if method.value not in self.profile.methods:
                self.problem(
                    (*here, "method") if doc.method else here,
                    "method-unavailable",
                    f"{self.profile.urn} does not rate by {method.value}; "
                    f"use {', '.join(self.profile.methods)}",
                )
                continue
            tree = self.node(doc.tree, (*here, "tree"), f"{doc.id}.root", method)
            paths.append(
                m.AttackPath(
                    doc.id,
                    doc.name,
                    tree,
                    m.FeasibilityMethod(doc.method) if doc.method else None,
                    doc.description,
                )
            )
        return tuple(paths)

    def treatment(self, doc: s.TreatmentDoc | None, at: Path) -> m.TreatmentDecision | None:
        if doc is None:
            return None
        options = doc.decision if isinstance(doc.decision, list) else [doc.decision]
        return m.TreatmentDecision(
            options=tuple(m.Treatment(o) for o in dict.fromkeys(options)),
            goals=self.refs(doc.goals, "goal", (*at, "goals")),
            claims=self.refs(doc.claims, "claim", (*at, "claims")),
            rationale=doc.rationale,
        )

    def provenance(self, doc: s.ProvenanceDoc | None, at: Path, gone: bool) -> m.Provenance | None:
        if doc is None:
            return None
        interface = self.ref(doc.interface, "interface", (*at, "interface"), gone) if doc.interface else None
        asset = self.ref(doc.asset, "asset", (*at, "asset"), gone)
        return m.Provenance(doc.rule, asset, interface, tuple(doc.mitigations), doc.obsolete)

    def threat_scenario(self, i: int, t: s.ThreatScenarioDoc) -> m.ThreatScenario:
        at: Path = ("threat_scenarios", i)
        gone = t.generated is not None and (t.generated.obsolete or self.generating)
        for k, ref in enumerate(t.annex5):
            if ref not in self.annex5_ids:
                self.problem(
                    (*at, "annex5", k),
                    "unknown-annex5-threat",
                    f"{ref!r} is not a UN R155 Annex 5 Part A threat id (e.g. '5.1', '18.3')",
                )
        return m.ThreatScenario(
            status=m.ReviewStatus(t.status),
            rationale=t.rationale,
            merged_into=self.ref(t.merged_into, "threat scenario", (*at, "merged_into"))
            if t.merged_into
            else None,
            generated=self.provenance(t.generated, (*at, "generated"), gone),
            id=t.id,
            name=t.name,
            description=t.description,
            asset=self.ref(t.asset, "asset", (*at, "asset"), gone),
            property=t.property,
            damage_scenarios=self.refs(
                t.damage_scenarios, "damage scenario", (*at, "damage_scenarios"), gone
            ),
            cause=t.cause,
            stride=t.stride,
            annex5=tuple(self.annex5_ids.get(ref, ref) for ref in t.annex5),
            attack_paths=self.attack_paths(t, at),
            treatment=self.treatment(t.treatment, (*at, "treatment")),
        )
