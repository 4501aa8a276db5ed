"""The architecture as an attack graph (ISO/SAE 21434 15.6, RQ-15-08: attack path analysis).

Nodes are the attacker's footholds: an external interface (`entry:ID`), a component it controls
(`component:ID`) and an in-vehicle bus it can send on (`bus:ID`); a virtual `attacker` node links to
every entry. Edges are hops, each with attack-potential factor values from the hop catalogue
(`data/catalogues/attack-hops.yaml`), raised by the controls on the component or channel it crosses.
A gateway joins its buses only when the attacker compromises it. A channel shared by several components
(a bus, or an external link such as cellular between the back end and the TCU) is also a pivot.
Each hop is rated before controls (the initial assessment, 15.6-15.7) and after the controls on what
it crosses (their `raises`), which becomes the residual rating of the step in an attack tree (15.9).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from opencsms.engine.catalogue import attack_hops, vocabulary
from opencsms.engine.errors import RuleViolation
from opencsms.engine.method.profile import MethodProfile
from opencsms.engine.tara.model import Component, Interface, TaraModel

ATTACKER = "attacker"


@dataclass(frozen=True)
class Hop:
    source: str
    target: str
    step: str  # what the attacker does, for reports and attack trees
    interface: str | None
    factors: Mapping[str, str]  # attack-potential factor -> level, before controls
    potential: tuple[int, ...]  # those factor values, in the profile's factor order
    controls: tuple[str, ...] = ()  # the controls on the component or channel this hop crosses
    residual_factors: Mapping[str, str] = field(default_factory=dict)  # after the controls (15.9)
    residual_potential: tuple[int, ...] = ()

    def vector(self, residual: bool) -> tuple[int, ...]:
        return self.residual_potential if residual else self.potential


@dataclass
class AttackGraph:
    out: dict[str, list[Hop]] = field(default_factory=dict)
    entry_vector: dict[str, str] = field(default_factory=dict)  # entry node -> attack vector
    names: dict[str, str] = field(default_factory=dict)

    def add(self, hop: Hop) -> None:
        self.out.setdefault(hop.source, []).append(hop)
        self.out.setdefault(hop.target, [])


class _Rater:
    def __init__(self, model: TaraModel, profile: MethodProfile) -> None:
        self.profile = profile
        self.raises = {c.id: dict(c.raises) for c in model.controls}
        missing = {
            "elapsed_time",
            "specialist_expertise",
            "knowledge_of_item",
            "window_of_opportunity",
            "equipment",
        } - set(profile.factor_values)
        if missing:
            raise RuleViolation(
                f"attack path analysis rates hops with the ISO/SAE 21434 attack-potential factors; "
                f"{profile.urn} lacks {', '.join(sorted(missing))}"
            )

    def hop(
        self,
        source: str,
        target: str,
        step: str,
        base: Mapping[str, str],
        *,
        interface: str | None,
        controls: tuple[str, ...],
    ) -> Hop:
        values, order = self.profile.factor_values, self.profile.factor_order
        after = dict(base)
        for control in controls:
            for factor, level in self.raises.get(control, {}).items():
                if values[factor][level] > values[factor][after[factor]]:
                    after[factor] = level
        before = dict(base)
        return Hop(
            source,
            target,
            step,
            interface,
            before,
            tuple(values[f][before[f]] for f in order),
            controls,
            after,
            tuple(values[f][after[f]] for f in order),
        )


# reaching an external interface costs nothing by itself: the entry hop carries the effort
_EASIEST = {
    "elapsed_time": "one_day",
    "specialist_expertise": "layman",
    "knowledge_of_item": "public",
    "window_of_opportunity": "unlimited",
    "equipment": "standard",
}


class _GraphBuilder:
    def __init__(self, model: TaraModel, profile: MethodProfile) -> None:
        self.rater = _Rater(model, profile)
        self.values = profile.factor_values
        self.hops = attack_hops()
        self.components: dict[str, Component] = {c.id: c for c in model.components}
        self.graph = AttackGraph(names={f"component:{c.id}": c.name for c in model.components})
        self.graph.out[ATTACKER] = []

    def into(self, component_id: str, base: Mapping[str, str]) -> dict[str, str]:
        """A hop into a component, made harder by what compromising that kind of component needs."""
        merged = dict(base)
        for factor, level in self.hops.component.get(self.components[component_id].kind, {}).items():
            if self.values[factor][level] > self.values[factor][merged[factor]]:
                merged[factor] = level
        return merged

    def entry(self, x: Interface, vector: str) -> None:
        entry, base = f"entry:{x.id}", self.hops.entry[x.kind]
        self.graph.entry_vector[entry] = vector
        self.graph.add(
            self.rater.hop(ATTACKER, entry, f"Reach {x.name}", _EASIEST, interface=None, controls=())
        )
        for cid in x.components:
            target = self.components[cid]
            self.graph.add(
                self.rater.hop(
                    entry,
                    f"component:{cid}",
                    f"Compromise {target.name} over {x.name}",
                    self.into(cid, base),
                    interface=x.id,
                    controls=x.controls + target.controls,
                )
            )

    def bus(self, x: Interface) -> None:
        bus, pivot = f"bus:{x.id}", self.hops.pivot.get(x.kind, self.hops.entry[x.kind])
        for cid in x.components:
            component = self.components[cid]
            self.graph.add(
                self.rater.hop(
                    f"component:{cid}",
                    bus,
                    f"Send on {x.name} from {component.name}",
                    self.hops.bus_access,
                    interface=x.id,
                    controls=x.controls,
                )
            )
            self.graph.add(
                self.rater.hop(
                    bus,
                    f"component:{cid}",
                    f"Compromise {component.name} from {x.name}",
                    self.into(cid, pivot),
                    interface=x.id,
                    controls=x.controls + component.controls,
                )
            )


def build_graph(model: TaraModel, profile: MethodProfile) -> AttackGraph:
    """The attack graph of the model's architecture, with every hop rated."""
    builder = _GraphBuilder(model, profile)
    vectors = {k.id: k.vector for k in vocabulary().interface_kinds}
    for x in model.interfaces:
        builder.graph.names[f"entry:{x.id}"] = builder.graph.names[f"bus:{x.id}"] = x.name
        if x.external:
            builder.entry(x, vectors[x.kind])
        if len(x.components) > 1:  # a shared channel, external ones too: back end -> cellular -> TCU
            builder.bus(x)
    return builder.graph
