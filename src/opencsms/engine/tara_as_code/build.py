"""A validated TARA document -> an engine `TaraModel`, with every reference and rating checked.

Problems are collected, not raised one at a time, so a user sees all of them in one run, each with
file, line, column and the rule broken.
"""

from __future__ import annotations

from typing import Any

from opencsms.engine.tara import model as m
from opencsms.engine.tara_as_code.build_threats import ThreatBuilder
from opencsms.engine.yamlsafe import Path


class Builder(ThreatBuilder):
    """A validated TARA document -> `TaraModel`, checking every reference and rating."""

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
                tuple(c.tags),
                self.refs(c.controls, "control", ("components", i, "controls")),
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
                tuple(x.tags),
                self.refs(x.controls, "control", ("interfaces", i, "controls")),
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
            damage: dict[str, tuple[str, ...]] = {}
            for prop, ids in a.damage.items():
                at: Path = ("assets", i, "damage", prop)
                if prop not in a.properties:
                    self.problem(at, "property-not-of-asset", f"{a.id} has no property {prop}")
                damage[prop] = self.refs(ids, "damage scenario", at)
            properties = tuple(dict.fromkeys(a.properties))
            assets.append(m.Asset(a.id, a.name, properties, component, a.description, tuple(a.tags), damage))
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

    def not_applicable(self) -> tuple[m.NotApplicable, ...]:
        entries = []
        for i, entry in enumerate(self.doc.annex5_not_applicable):
            known = entry.id in self.mitigation_ids or entry.id in self.annex5_ids
            if not known:
                self.problem(
                    ("annex5_not_applicable", i, "id"),
                    "unknown-annex5-id",
                    f"{entry.id!r} is neither a UN R155 Annex 5 threat id ('2.1') nor a mitigation (M4)",
                )
            entries.append(m.NotApplicable(self.annex5_ids.get(entry.id, entry.id), entry.rationale))
        return tuple(entries)

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
            tuple(
                m.Control(
                    c.id,
                    c.name,
                    c.description,
                    tuple(c.mitigations),
                    self.potential(c.raises, ("controls", i, "raises"), partial=True),
                )
                for i, c in enumerate(d.controls)
            ),
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
            annex5_not_applicable=self.not_applicable(),
            locations=self.locations,
            source=self.source.file,
        )
