"""A tiny architecture for threat-rule tests: one asset on a component, one interface, built in code.

`arch()` makes a model with the asset `A-1` ("Test asset") on the component `MAIN` ("Main unit") and,
when `kind` is given, the interface `IF-X` ("Test link") on `MAIN` (`where="local"`), on the second
component `OTHER` (`where="remote"`), or on no component of the asset at all. `in_scope=False` puts
`MAIN` outside the item boundary.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from opencsms.engine.tara import model as m
from opencsms.engine.threatgen import Proposal, load_rules, propose

ASSET, COMPONENT, INTERFACE = "Test asset", "Main unit", "Test link"


def arch(
    properties: tuple[str, ...] = ("integrity",),
    tags: tuple[str, ...] = (),
    *,
    kind: str | None = None,
    external: bool = True,
    interface_tags: tuple[str, ...] = (),
    where: Literal["local", "remote"] = "local",
    component_kind: str = "ecu",
    component_tags: tuple[str, ...] = (),
    in_scope: bool = True,
    on_component: bool = True,
    damage: Mapping[str, tuple[str, ...]] | None = None,
    threats: tuple[m.ThreatScenario, ...] = (),
) -> m.TaraModel:
    components = (
        m.Component("MAIN", COMPONENT, component_kind, in_scope=in_scope, tags=component_tags),
        m.Component("OTHER", "Other unit", "ecu"),
    )
    interfaces = ()
    if kind is not None:
        attached = ("MAIN",) if where == "local" else ("OTHER",)
        interfaces = (m.Interface("IF-X", INTERFACE, kind, attached, external, tags=interface_tags),)
    asset = m.Asset(
        "A-1", ASSET, properties, "MAIN" if on_component else None, tags=tags, damage=dict(damage or {})
    )
    return m.TaraModel(
        id="t",
        name="Threat rule test",
        item=m.Item(name="Test item"),
        components=components,
        interfaces=interfaces,
        assets=(asset,),
        damage_scenarios=(m.DamageScenario("DS-1", "Damage", {"safety": "severe"}),),
        threat_scenarios=threats,
    )


def proposals(model: m.TaraModel, rule: str | None = None) -> list[Proposal]:
    """What the shipped catalogue proposes for the model, only of `rule` when given."""
    return [p for p in propose(model, load_rules()) if rule is None or p.rule == rule]


def threat(
    threat_id: str,
    prop: str,
    status: m.ReviewStatus = m.ReviewStatus.ACCEPTED,
    generated: m.Provenance | None = None,
    asset: str = "A-1",
) -> m.ThreatScenario:
    """A threat scenario written by hand (or, with `generated`, by generation) on the test asset."""
    return m.ThreatScenario(
        threat_id,
        f"threat {threat_id}",
        asset,
        prop,
        ("DS-1",),
        status=status,
        rationale="not relevant here" if status is m.ReviewStatus.REJECTED else "",
        generated=generated,
    )
