"""Match threat rules against the architecture: TaraModel x RuleSet -> proposed threat scenarios.

A rule matches an asset (by property and tags), optionally its component (kind, tags, scope) and
optionally each interface of that component (kind, tags, external). The proposal's id is derived from
the rule and the elements, `G-<rule>-<asset>[-<interface>]`, so the same architecture always yields the
same ids and a regeneration can tell what is new and what is gone.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
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


def _matches(
    rule: RuleDoc, asset: Asset, component: Component | None, interfaces: list[Interface]
) -> Iterator[tuple[Component | None, Interface | None]]:
    match = rule.match
    if rule.threat.property not in asset.properties:
        return
    if not (_any(match.asset.properties, asset.properties) and _any(match.asset.tags, asset.tags)):
        return
    if match.component is not None and (component is None or not _component_ok(match.component, component)):
        return
    if match.interface is None:
        yield component, None
        return
    for interface in interfaces:
        if _interface_ok(match.interface, interface):
            yield component, interface


def _propose_rule(
    rule: RuleDoc,
    model: TaraModel,
    components: dict[str, Component],
    on_component: dict[str, list[Interface]],
    covered: set[tuple[str, str]],
) -> list[Proposal]:
    found = []
    anywhere = rule.match.interface is not None and rule.match.interface.anywhere
    for asset in model.assets:
        component = components.get(asset.component) if asset.component else None
        if component is not None and not component.in_scope:
            continue  # outside the item boundary: not analysed
        if rule.match.only_if_uncovered and (asset.id, rule.threat.property) in covered:
            continue
        interfaces = list(model.interfaces) if anywhere else on_component.get(asset.component or "", [])
        for matched_component, matched_interface in _matches(rule, asset, component, interfaces):
            found.append(_proposal(rule, asset, matched_component, matched_interface))
    return found


def propose(model: TaraModel, rules: RuleSet) -> list[Proposal]:
    """Every proposal the rules make for the model's architecture, in rule order then asset order.

    STRIDE baseline rules (`only_if_uncovered`) skip an asset and property that another threat scenario
    covers, counting the specific rules' proposals of this same run, so a second run proposes nothing new.
    """
    components = {c.id: c for c in model.components}
    on_component: dict[str, list[Interface]] = {}
    for interface in model.interfaces:
        for component_id in interface.components:
            on_component.setdefault(component_id, []).append(interface)
    baseline = {r.id for r in rules.rules if r.match.only_if_uncovered}
    covered = {
        (t.asset, t.property)
        for t in model.threat_scenarios
        if t.in_analysis and not (t.generated and t.generated.rule in baseline)
    }
    by_rule: dict[str, list[Proposal]] = {}
    for rule in (r for r in rules.rules if r.id not in baseline):
        by_rule[rule.id] = _propose_rule(rule, model, components, on_component, covered)
        covered |= {(p.asset, p.property) for p in by_rule[rule.id]}
    for rule in (r for r in rules.rules if r.id in baseline):
        by_rule[rule.id] = _propose_rule(rule, model, components, on_component, covered)
    return [p for rule in rules.rules for p in by_rule[rule.id]]
