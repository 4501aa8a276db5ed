"""Match threat rules against the architecture: TaraModel x RuleSet -> proposed threat scenarios.

A rule matches an asset (by property and tags), optionally its component (kind, tags, scope) and
optionally each interface of that component (kind, tags, external). The proposal's id is derived from
the rule and the elements, `G-<rule>-<asset>[-<interface>]`, so the same architecture always yields the
same ids and a regeneration can tell what is new and what is gone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from string import Template

from opencsms.engine.tara.model import Asset, Component, Interface, TaraModel
from opencsms.engine.threatgen.rules import RuleSet
from opencsms.engine.threatgen.schema import ComponentMatch, InterfaceMatch, RuleDoc


@dataclass(frozen=True)
class Proposal:
    id: str
    rule: str
    asset: str
    interface: str | None
    name: str
    cause: str
    property: str
    stride: str
    annex5: tuple[str, ...]
    mitigations: tuple[str, ...]
    damage_scenarios: tuple[str, ...]


def proposal_id(rule: str, asset: str, interface: str | None) -> str:
    return f"G-{rule}-{asset}" + (f"-{interface}" if interface else "")


def _any(wanted: Sequence[str], have: tuple[str, ...] | str) -> bool:
    if not wanted:
        return True
    return have in wanted if isinstance(have, str) else bool(set(wanted) & set(have))


def _component_ok(criteria: ComponentMatch, component: Component) -> bool:
    return (
        _any(criteria.kinds, component.kind)
        and _any(criteria.tags, component.tags)
        and criteria.in_scope in (None, component.in_scope)
    )


def _interface_ok(criteria: InterfaceMatch, interface: Interface) -> bool:
    return (
        _any(criteria.kinds, interface.kind)
        and _any(criteria.tags, interface.tags)
        and criteria.external in (None, interface.external)
    )


def _proposal(
    rule: RuleDoc, asset: Asset, component: Component | None, interface: Interface | None
) -> Proposal:
    values = {
        "asset": asset.name,
        "component": component.name if component else "the item",
        "interface": interface.name if interface else "",
        "interface_kind": interface.kind if interface else "",
    }
    t = rule.threat
    return Proposal(
        id=proposal_id(rule.id, asset.id, interface.id if interface else None),
        rule=rule.id,
        asset=asset.id,
        interface=interface.id if interface else None,
        name=Template(t.name).safe_substitute(values),
        cause=Template(t.cause).safe_substitute(values),
        property=t.property,
        stride=t.stride,
        annex5=tuple(t.annex5),
        mitigations=tuple(t.mitigations),
        damage_scenarios=tuple(asset.damage.get(t.property, ())),
    )


def _asset_ok(rule: RuleDoc, asset: Asset, component: Component | None) -> bool:
    match = rule.match
    if rule.threat.property not in asset.properties:
        return False
    if not (_any(match.asset.properties, asset.properties) and _any(match.asset.tags, asset.tags)):
        return False
    return match.component is None or (component is not None and _component_ok(match.component, component))


class _AssetIndex:
    """Assets by property and by tag, so that a rule visits only the assets that can match it."""

    def __init__(self, assets: Sequence[Asset]) -> None:
        self.assets = assets
        self.by_property: dict[str, list[int]] = {}
        self.by_tag: dict[str, list[int]] = {}
        for i, asset in enumerate(assets):
            for prop in asset.properties:
                self.by_property.setdefault(prop, []).append(i)
            for tag in asset.tags:
                self.by_tag.setdefault(tag, []).append(i)

    def candidates(self, rule: RuleDoc) -> list[Asset]:
        with_property = self.by_property.get(rule.threat.property, [])
        if rule.match.asset.tags:
            tagged = {i for tag in rule.match.asset.tags for i in self.by_tag.get(tag, [])}
            return [self.assets[i] for i in with_property if i in tagged]
        return [self.assets[i] for i in with_property]


class _Architecture:
    """The model's architecture, indexed once for all rules."""

    def __init__(self, model: TaraModel) -> None:
        self.interfaces = model.interfaces
        self.index = _AssetIndex(model.assets)
        self.components = {c.id: c for c in model.components}
        self.on_component: dict[str, list[Interface]] = {}
        for interface in model.interfaces:
            for component_id in interface.components:
                self.on_component.setdefault(component_id, []).append(interface)


def _propose_rule(rule: RuleDoc, arch: _Architecture, covered: set[tuple[str, str]]) -> list[Proposal]:
    criteria = rule.match.interface
    # interfaces anywhere in the item match the same way for every asset: filter them once
    everywhere = (
        [x for x in arch.interfaces if _interface_ok(criteria, x)] if criteria and criteria.anywhere else None
    )
    found = []
    for asset in arch.index.candidates(rule):
        component = arch.components.get(asset.component) if asset.component else None
        if component is not None and not component.in_scope:
            continue  # outside the item boundary: not analysed
        if rule.match.only_if_uncovered and (asset.id, rule.threat.property) in covered:
            continue
        if not _asset_ok(rule, asset, component):
            continue
        if criteria is None:
            found.append(_proposal(rule, asset, component, None))
            continue
        local = arch.on_component.get(asset.component or "", [])
        matched = everywhere if everywhere is not None else [x for x in local if _interface_ok(criteria, x)]
        found.extend(_proposal(rule, asset, component, interface) for interface in matched)
    return found


def propose(model: TaraModel, rules: RuleSet) -> list[Proposal]:
    """Every proposal the rules make for the model's architecture, in rule order then asset order.

    STRIDE baseline rules (`only_if_uncovered`) skip an asset and property that another threat scenario
    covers, counting the specific rules' proposals of this same run, so a second run proposes nothing new.
    """
    arch = _Architecture(model)
    baseline = {r.id for r in rules.rules if r.match.only_if_uncovered}
    covered = {
        (t.asset, t.property)
        for t in model.threat_scenarios
        if t.in_analysis and not (t.generated and t.generated.rule in baseline)
    }
    by_rule: dict[str, list[Proposal]] = {}
    for rule in (r for r in rules.rules if r.id not in baseline):
        by_rule[rule.id] = _propose_rule(rule, arch, covered)
        covered |= {(p.asset, p.property) for p in by_rule[rule.id]}
    for rule in (r for r in rules.rules if r.id in baseline):
        by_rule[rule.id] = _propose_rule(rule, arch, covered)
    return [p for rule in rules.rules for p in by_rule[rule.id]]
