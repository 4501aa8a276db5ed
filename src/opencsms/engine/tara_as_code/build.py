"""A validated TARA document -> an engine `TaraModel`, with every reference and rating checked.

Problems are collected, not raised one at a time, so a user sees all of them in one run, each with
file, line, column and the rule broken. Each entry of a list is built by one method of `ElementBuilder`
(`ELEMENTS` names them), so that one changed entry can be checked and built alone (`incremental.py`).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from pydantic import BaseModel

from opencsms.engine.method.profile import MethodProfile
from opencsms.engine.tara import model as m
from opencsms.engine.tara_as_code import schema as s
from opencsms.engine.tara_as_code.build_threats import ThreatBuilder
from opencsms.engine.yamlsafe import Document, Path


class ElementKind(NamedTuple):
    """One list of a TARA document: what its ids declare, the schema of an entry, how it is built."""

    declares: str | None  # None: its ids are not declared (Annex 5 ids may repeat)
    doc: type[BaseModel]
    build: str  # the `ElementBuilder` method: (index, entry) -> model value


ELEMENTS: dict[str, ElementKind] = {  # each of `schema.LISTS`, in the order the declarations are made
    "components": ElementKind("component", s.ComponentDoc, "component"),
    "interfaces": ElementKind("interface", s.InterfaceDoc, "interface"),
    "data_flows": ElementKind("data flow", s.DataFlowDoc, "data_flow"),
    "assets": ElementKind("asset", s.AssetDoc, "asset"),
    "damage_scenarios": ElementKind("damage scenario", s.DamageScenarioDoc, "damage_scenario"),
    "goals": ElementKind("goal", s.GoalDoc, "goal"),
    "claims": ElementKind("claim", s.ClaimDoc, "claim"),
    "controls": ElementKind("control", s.ControlDoc, "control"),
    "requirements": ElementKind("requirement", s.RequirementDoc, "requirement"),
    "threat_scenarios": ElementKind("threat scenario", s.ThreatScenarioDoc, "threat_scenario"),
    "annex5_not_applicable": ElementKind(None, s.NotApplicableDoc, "not_applicable"),
}


class ElementBuilder(ThreatBuilder):
    """Builds single entries of a document's lists, checking their references and ratings."""

    def declare_element(self, key: str, i: int, element: Any) -> None:
        """Declare the entry's id; a threat scenario's attack paths are declared by `declare_paths`."""
        declares = ELEMENTS[key].declares
        if declares is not None:
            self.declare(element.id, declares, (key, i))

    def declare_paths(self, i: int, threat: s.ThreatScenarioDoc) -> None:
        for j, path in enumerate(threat.attack_paths):
            self.declare(path.id, "attack path", ("threat_scenarios", i, "attack_paths", j))

    def element(self, key: str, i: int, element: Any) -> Any:
        built: Any = getattr(self, ELEMENTS[key].build)(i, element)
        return built

    def component(self, i: int, c: s.ComponentDoc) -> m.Component:
        return m.Component(
            c.id,
            c.name,
            c.kind,
            c.description,
            self.refs(c.functions, "function", ("components", i, "functions")),
            c.in_scope,
            tuple(c.tags),
            self.refs(c.controls, "control", ("components", i, "controls")),
        )

    def interface(self, i: int, x: s.InterfaceDoc) -> m.Interface:
        return m.Interface(
            x.id,
            x.name,
            x.kind,
            self.refs(x.components, "component", ("interfaces", i, "components")),
            x.external,
            x.description,
            tuple(x.tags),
            self.refs(x.controls, "control", ("interfaces", i, "controls")),
        )

    def data_flow(self, i: int, f: s.DataFlowDoc) -> m.DataFlow:
        at = ("data_flows", i)
        return m.DataFlow(
            f.id,
            self.ref(f.source, "component", (*at, "source")),
            self.ref(f.target, "component", (*at, "target")),
            self.ref(f.interface, "interface", (*at, "interface")),
            f.data,
        )

    def asset(self, i: int, a: s.AssetDoc) -> m.Asset:
        component = self.ref(a.component, "component", ("assets", i, "component")) if a.component else None
        damage: dict[str, tuple[str, ...]] = {}
        for prop, ids in a.damage.items():
            at: Path = ("assets", i, "damage", prop)
            if prop not in a.properties:
                self.problem(at, "property-not-of-asset", f"{a.id} has no property {prop}")
            damage[prop] = self.refs(ids, "damage scenario", at)
        properties = tuple(dict.fromkeys(a.properties))
        return m.Asset(a.id, a.name, properties, component, a.description, tuple(a.tags), damage)

    def damage_scenario(self, i: int, ds: s.DamageScenarioDoc) -> m.DamageScenario:
        impact = self.profile.source.impact
        weighted = impact.aggregation == "weighted_sum"
        for category, level in ds.impact.items():
            at: Path = ("damage_scenarios", i, "impact", category)
            if category not in impact.categories:
                self.problem(
                    at,
                    "unknown-category",
                    f"{category!r} is not an impact category; use {', '.join(impact.categories)}",
                )
                continue
            allowed = [w.id for w in impact.weights[category]] if weighted else list(self.profile.impact.ids)
            if level not in allowed:
                self.problem(
                    at,
                    "unknown-level",
                    f"{level!r} is not a {category} impact level of {self.profile.urn}; "
                    f"use one of {', '.join(allowed)}",
                )
        return m.DamageScenario(ds.id, ds.name, dict(ds.impact), ds.description, ds.rationale)

    def not_applicable(self, i: int, entry: s.NotApplicableDoc) -> m.NotApplicable:
        if entry.id not in self.mitigation_ids and entry.id not in self.annex5_ids:
            self.problem(
                ("annex5_not_applicable", i, "id"),
                "unknown-annex5-id",
                f"{entry.id!r} is neither a UN R155 Annex 5 threat id ('2.1') nor a mitigation (M4)",
            )
        return m.NotApplicable(self.annex5_ids.get(entry.id, entry.id), entry.rationale)

    def goal(self, _i: int, g: s.GoalDoc) -> m.Goal:
        return m.Goal(g.id, g.name, g.description, g.cal)

    def claim(self, _i: int, c: s.ClaimDoc) -> m.Claim:
        return m.Claim(c.id, c.text)

    def mitigations(self, i: int, control: s.ControlDoc) -> None:
        for k, mitigation in enumerate(control.mitigations):
            if mitigation not in self.mitigation_ids:
                self.problem(
                    ("controls", i, "mitigations", k),
                    "unknown-annex5-mitigation",
                    f"{mitigation!r} is not a UN R155 Annex 5 mitigation (M1-M24, no M17)",
                )

    def control(self, i: int, c: s.ControlDoc, mitigations_checked: bool = False) -> m.Control:
        if not mitigations_checked:
            self.mitigations(i, c)
        raises = self.potential(c.raises, ("controls", i, "raises"), partial=True)
        return m.Control(c.id, c.name, c.description, tuple(c.mitigations), raises)

    def requirement(self, i: int, r: s.RequirementDoc) -> m.Requirement:
        return m.Requirement(
            r.id,
            r.text,
            self.refs(r.goals, "goal", ("requirements", i, "goals")),
            self.refs(r.controls, "control", ("requirements", i, "controls")),
            self.refs(r.components, "component", ("requirements", i, "components")),
        )


class Builder(ElementBuilder):
    """A validated TARA document -> `TaraModel`, checking every reference and rating."""

    def __init__(
        self, doc: s.TaraDoc, source: Document, profile: MethodProfile, generating: bool = False
    ) -> None:
        super().__init__(doc.method, source, profile, generating)
        self.doc = doc

    def declare_all(self) -> None:
        d = self.doc
        for i, f in enumerate(d.item.functions):
            self.declare(f.id, "function", ("item", "functions", i))
        for i, a in enumerate(d.item.assumptions):
            self.declare(a.id, "assumption", ("item", "assumptions", i))
        for key in ELEMENTS:
            for i, element in enumerate(getattr(d, key)):
                self.declare_element(key, i, element)
        for i, threat in enumerate(d.threat_scenarios):
            self.declare_paths(i, threat)

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

    def entries(self, key: str) -> tuple[Any, ...]:
        return tuple(self.element(key, i, e) for i, e in enumerate(getattr(self.doc, key)))

    def concept(self) -> tuple[tuple[m.Control, ...], tuple[m.Requirement, ...]]:
        """Controls and requirements, with the problems in the order a person reads them: every
        control's mitigations, then the requirements' references, then the controls' ratings."""
        controls = self.doc.controls
        for i, control in enumerate(controls):
            self.mitigations(i, control)
        requirements = self.entries("requirements")
        built = tuple(self.control(i, c, mitigations_checked=True) for i, c in enumerate(controls))
        return built, requirements

    def build(self) -> m.TaraModel:
        self.declare_all()
        d = self.doc
        controls, requirements = self.concept()
        lists = {key: self.entries(key) for key in ELEMENTS if key not in ("controls", "requirements")}
        return m.TaraModel(
            id=d.id,
            name=d.name,
            version=d.version,
            item=self.item(),
            method=m.Method(
                d.method.profile, self.default_method, m.CalMethod(d.method.cal), d.method.acceptance
            ),
            controls=controls,
            requirements=requirements,
            **lists,
            locations=self.locations,
            source=self.source.file,
        )
