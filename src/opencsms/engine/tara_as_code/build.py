"""A validated TARA document -> an engine `TaraModel`, with every reference and rating checked.

Problems are collected, not raised one at a time, so a user sees all of them in one run, each with
file, line, column and the rule broken.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from opencsms.engine.catalogue import annex5
from opencsms.engine.errors import Problem
from opencsms.engine.method.profile import MethodProfile
from opencsms.engine.tara import model as m
from opencsms.engine.tara_as_code import schema as s
from opencsms.engine.yamlsafe import Document, Path

_CVSS = re.compile(r"^AV:([NALP])/AC:([LH])/PR:([NLH])/UI:([NR])(?:/S:([UC]))?$")


class Builder:
    def __init__(self, doc: s.TaraDoc, source: Document, profile: MethodProfile) -> None:
        self.doc, self.source, self.profile = doc, source, profile
        self.problems: list[Problem] = []
        self.locations: dict[str, tuple[int, int]] = {}
        self.kinds: dict[str, str] = {}  # id -> collection it belongs to
        self.default_method = m.FeasibilityMethod(doc.method.feasibility)
        catalogue = annex5()
        self.annex5_ids = catalogue.threat_ids()
        self.mitigation_ids = {mit.id for mit in catalogue.mitigations}

    def problem(self, path: Path, rule: str, message: str) -> None:
        self.problems.append(self.source.problem(path, rule, message))

    def declare(self, element_id: str, kind: str, path: Path) -> None:
        if element_id in self.kinds:
            line, column = self.locations[element_id]
            self.problem(
                path, "duplicate-id", f"id {element_id!r} is already used at line {line}, column {column}"
            )
            return
        self.kinds[element_id] = kind
        self.locations[element_id] = self.source.where(path)

    def ref(self, ref: str, kind: str, path: Path) -> str:
        found = self.kinds.get(ref)
        if found != kind:
            what = f"is a {found}" if found else "is not defined"
            self.problem(path, "dangling-reference", f"{ref!r} {what}; expected a {kind} id")
        return ref

    def refs(self, ids: Iterable[str], kind: str, path: Path) -> tuple[str, ...]:
        return tuple(self.ref(ref, kind, (*path, i)) for i, ref in enumerate(ids))

    # -- declarations ------------------------------------------------------------------------------------

    def declare_all(self) -> None:
        d = self.doc
        for i, f in enumerate(d.item.functions):
            self.declare(f.id, "function", ("item", "functions", i))
        for i, a in enumerate(d.item.assumptions):
            self.declare(a.id, "assumption", ("item", "assumptions", i))
        collections: list[tuple[str, str, list[Any]]] = [
            ("components", "component", d.components),
            ("interfaces", "interface", d.interfaces),
            ("data_flows", "data flow", d.data_flows),
            ("assets", "asset", d.assets),
            ("damage_scenarios", "damage scenario", d.damage_scenarios),
            ("goals", "goal", d.goals),
            ("claims", "claim", d.claims),
            ("controls", "control", d.controls),
            ("requirements", "requirement", d.requirements),
            ("threat_scenarios", "threat scenario", d.threat_scenarios),
        ]
        for key, kind, items in collections:
            for i, element in enumerate(items):
                self.declare(element.id, kind, (key, i))
        for i, threat in enumerate(d.threat_scenarios):
            for j, path in enumerate(threat.attack_paths):
                self.declare(path.id, "attack path", ("threat_scenarios", i, "attack_paths", j))

    # -- architecture ------------------------------------------------------------------------------------

    def item(self) -> m.Item:
        d = self.doc.item
        return m.Item(
            name=d.name,
            description=d.description,
            functions=tuple(m.Function(f.id, f.name, f.description) for f in d.functions),
            boundary=d.boundary,
            out_of_scope=tuple(d.out_of_scope),
            operational_environment=tuple(d.operational_environment),
            assumptions=tuple(m.Assumption(a.id, a.text) for a in d.assumptions),
        )

    def components(self) -> tuple[m.Component, ...]:
        return tuple(
            m.Component(
                c.id,
                c.name,
                c.kind,
                c.description,
                self.refs(c.functions, "function", ("components", i, "functions")),
                c.in_scope,
            )
            for i, c in enumerate(self.doc.components)
        )

    def interfaces(self) -> tuple[m.Interface, ...]:
        return tuple(
            m.Interface(
                x.id,
                x.name,
                x.kind,
                self.refs(x.components, "component", ("interfaces", i, "components")),
                x.external,
                x.description,
            )
            for i, x in enumerate(self.doc.interfaces)
        )

    def data_flows(self) -> tuple[m.DataFlow, ...]:
        flows = []
        for i, f in enumerate(self.doc.data_flows):
            at = ("data_flows", i)
            flows.append(
                m.DataFlow(
                    f.id,
                    self.ref(f.source, "component", (*at, "source")),
                    self.ref(f.target, "component", (*at, "target")),
                    self.ref(f.interface, "interface", (*at, "interface")),
                    f.data,
                )
            )
        return tuple(flows)

    def assets(self) -> tuple[m.Asset, ...]:
        assets = []
        for i, a in enumerate(self.doc.assets):
            component = (
                self.ref(a.component, "component", ("assets", i, "component")) if a.component else None
            )
            assets.append(m.Asset(a.id, a.name, tuple(dict.fromkeys(a.properties)), component, a.description))
        return tuple(assets)

    # -- ratings -----------------------------------------------------------------------------------------

    def damage_scenarios(self) -> tuple[m.DamageScenario, ...]:
        impact = self.profile.source.impact
        weighted = impact.aggregation == "weighted_sum"
        result = []
        for i, ds in enumerate(self.doc.damage_scenarios):
            for category, level in ds.impact.items():
                at: Path = ("damage_scenarios", i, "impact", category)
                if category not in impact.categories:
                    self.problem(
                        at,
                        "unknown-category",
                        f"{category!r} is not an impact category; use {', '.join(impact.categories)}",
                    )
                    continue
                allowed = (
                    [w.id for w in impact.weights[category]] if weighted else list(self.profile.impact.ids)
                )
                if level not in allowed:
                    self.problem(
                        at,
                        "unknown-level",
                        f"{level!r} is not a {category} impact level of {self.profile.urn}; "
                        f"use one of {', '.join(allowed)}",
                    )
            result.append(m.DamageScenario(ds.id, ds.name, dict(ds.impact), ds.description, ds.rationale))
        return tuple(result)

    def potential(self, factors: dict[str, str], at: Path, partial: bool) -> dict[str, str]:
        table = self.profile.factor_values
        for factor, level in factors.items():
            if factor not in table:
                self.problem(
                    (*at, factor),
                    "unknown-factor",
                    f"{factor!r} is not an attack-potential factor; use {', '.join(table)}",
                )
            elif level not in table[factor]:
                self.problem(
                    (*at, factor),
                    "unknown-level",
                    f"{level!r} is not a level of {factor}; use one of {', '.join(table[factor])}",
                )
        missing = [f for f in table if f not in factors]
        if missing and not partial:
            self.problem(at, "missing-factor", f"attack potential needs {', '.join(missing)}")
        return dict(factors)

    def cvss(self, text: str, at: Path) -> m.Cvss | None:
        match = _CVSS.match(text.strip())
        if match is None:
            self.problem(
                at, "bad-cvss", f"{text!r} is not AV:[NALP]/AC:[LH]/PR:[NLH]/UI:[NR] with optional /S:[UC]"
            )
            return None
        av, ac, pr, ui, scope = match.groups()
        return m.Cvss(av, ac, pr, ui, scope == "C")

    def rating(self, doc: s.RatingDoc | s.NodeDoc, at: Path, partial: bool = False) -> m.Rating:
        potential = doc.attack_potential
        if potential is not None and not self.profile.factor_values:
            self.problem(
                (*at, "attack_potential"),
                "method-unavailable",
                f"{self.profile.urn} has no attack-potential table",
            )
            potential = None
        return m.Rating(
            attack_potential=self.potential(potential, (*at, "attack_potential"), partial)
            if potential
            else None,
            cvss=self.cvss(doc.cvss, (*at, "cvss")) if doc.cvss else None,
            vector=doc.vector,
        )

    def node(self, doc: s.NodeDoc, at: Path, default_id: str, method: m.FeasibilityMethod) -> m.Node:
        node_id = doc.id or default_id
        if doc.id:
            self.declare(doc.id, "attack step", at)
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

    def threat_scenarios(self) -> tuple[m.ThreatScenario, ...]:
        threats = []
        for i, t in enumerate(self.doc.threat_scenarios):
            at: Path = ("threat_scenarios", i)
            for k, ref in enumerate(t.annex5):
                if ref not in self.annex5_ids:
                    self.problem(
                        (*at, "annex5", k),
                        "unknown-annex5-threat",
                        f"{ref!r} is not a UN R155 Annex 5 Part A threat id (e.g. '5.1', '18.3')",
                    )
            threats.append(
                m.ThreatScenario(
                    id=t.id,
                    name=t.name,
                    description=t.description,
                    asset=self.ref(t.asset, "asset", (*at, "asset")),
                    property=t.property,
                    damage_scenarios=self.refs(
                        t.damage_scenarios, "damage scenario", (*at, "damage_scenarios")
                    ),
                    cause=t.cause,
                    stride=t.stride,
                    annex5=tuple(self.annex5_ids.get(ref, ref) for ref in t.annex5),
                    attack_paths=self.attack_paths(t, at),
                    treatment=self.treatment(t.treatment, (*at, "treatment")),
                )
            )
        return tuple(threats)

    def concept(
        self,
    ) -> tuple[tuple[m.Goal, ...], tuple[m.Claim, ...], tuple[m.Control, ...], tuple[m.Requirement, ...]]:
        d = self.doc
        for i, control in enumerate(d.controls):
            for k, mitigation in enumerate(control.mitigations):
                if mitigation not in self.mitigation_ids:
                    self.problem(
                        ("controls", i, "mitigations", k),
                        "unknown-annex5-mitigation",
                        f"{mitigation!r} is not a UN R155 Annex 5 mitigation (M1-M24, no M17)",
                    )
        requirements = tuple(
            m.Requirement(
                r.id,
                r.text,
                self.refs(r.goals, "goal", ("requirements", i, "goals")),
                self.refs(r.controls, "control", ("requirements", i, "controls")),
                self.refs(r.components, "component", ("requirements", i, "components")),
            )
            for i, r in enumerate(d.requirements)
        )
        return (
            tuple(m.Goal(g.id, g.name, g.description, g.cal) for g in d.goals),
            tuple(m.Claim(c.id, c.text) for c in d.claims),
            tuple(m.Control(c.id, c.name, c.description, tuple(c.mitigations)) for c in d.controls),
            requirements,
        )

    def build(self) -> m.TaraModel:
        self.declare_all()
        d = self.doc
        goals, claims, controls, requirements = self.concept()
        return m.TaraModel(
            id=d.id,
            name=d.name,
            version=d.version,
            item=self.item(),
            method=m.Method(
                d.method.profile, self.default_method, m.CalMethod(d.method.cal), d.method.acceptance
            ),
            components=self.components(),
            interfaces=self.interfaces(),
            data_flows=self.data_flows(),
            assets=self.assets(),
            damage_scenarios=self.damage_scenarios(),
            threat_scenarios=self.threat_scenarios(),
            goals=goals,
            claims=claims,
            controls=controls,
            requirements=requirements,
            locations=self.locations,
            source=self.source.file,
        )
