"""The item's architecture as a layered graph, for the pictures of the report (ISO/SAE 21434:2021 9.3,
RQ-09-02: the item's components and interfaces; 15.6, RQ-15-08: attack path analysis).

The nodes are those of the attack graph (`engine.analysis.graph`): an external interface is an entry point
(`entry:ID`), a component is `component:ID` and an internal interface joining two or more components is a
bus (`bus:ID`). The edges are the attack graph's hops without their direction. A node's layer is its
breadth-first distance over the attack graph from the nearest entry point (entries are layer 0), so the
picture reads from the outside of the vehicle inwards; nodes no entry point reaches have layer -1.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Literal

from opencsms.engine.tara.model import TaraModel

NodeKind = Literal["entry", "component", "bus"]
UNREACHED = -1


@dataclass(frozen=True, slots=True)
class ArchNode:
    key: str  # the attack-graph node key
    kind: NodeKind
    ident: str  # the component's or interface's id in the model
    name: str
    detail: str  # the component kind; the interface kind (and attack vector of an entry point)
    layer: int  # distance from the nearest entry point, UNREACHED if none reaches it
    in_scope: bool = True


@dataclass(frozen=True, slots=True)
class ArchEdge:
    """A link of the architecture: entry point -> component, or component - bus (both directions)."""

    source: str
    target: str


@dataclass(frozen=True, slots=True)
class Architecture:
    nodes: tuple[ArchNode, ...]
    edges: tuple[ArchEdge, ...]

    def node(self, key: str) -> ArchNode:
        return next(n for n in self.nodes if n.key == key)


def _label(kind: str) -> str:
    return kind.replace("_", " ")


def _entry_detail(kind: str, vector: str | None) -> str:
    return f"{_label(kind)} · {vector}" if vector else _label(kind)


def _nodes(model: TaraModel, vectors: dict[str, str]) -> list[ArchNode]:
    nodes = [
        ArchNode(f"entry:{x.id}", "entry", x.id, x.name, _entry_detail(x.kind, vectors.get(x.id)), 0)
        for x in model.interfaces
        if x.external
    ]
    nodes += [
        ArchNode(f"component:{c.id}", "component", c.id, c.name, _label(c.kind), UNREACHED, c.in_scope)
        for c in model.components
    ]
    nodes += [
        ArchNode(f"bus:{x.id}", "bus", x.id, x.name, _label(x.kind), UNREACHED)
        for x in model.interfaces
        if not x.external and len(x.components) > 1
    ]
    return nodes


def _edges(model: TaraModel) -> list[ArchEdge]:
    known = {c.id for c in model.components}
    edges: list[ArchEdge] = []
    for x in model.interfaces:
        if x.external:
            edges += [ArchEdge(f"entry:{x.id}", f"component:{c}") for c in x.components if c in known]
        elif len(x.components) > 1:
            edges += [ArchEdge(f"component:{c}", f"bus:{x.id}") for c in x.components if c in known]
    return edges


def _distances(nodes: list[ArchNode], edges: list[ArchEdge]) -> dict[str, int]:
    """Breadth-first distance from the entry points; entries lead into components, buses go both ways."""
    follow: dict[str, list[str]] = {}
    for edge in edges:
        follow.setdefault(edge.source, []).append(edge.target)
        if not edge.source.startswith("entry:"):
            follow.setdefault(edge.target, []).append(edge.source)
    distance = {n.key: 0 for n in nodes if n.kind == "entry"}
    queue = deque(distance)
    while queue:
        key = queue.popleft()
        for nxt in follow.get(key, ()):
            if nxt not in distance:
                distance[nxt] = distance[key] + 1
                queue.append(nxt)
    return distance


def architecture(model: TaraModel, vectors: dict[str, str] | None = None) -> Architecture:
    """The layered architecture of `model`; `vectors` gives the attack vector of each external interface."""
    nodes = _nodes(model, vectors or {})
    edges = _edges(model)
    distance = _distances(nodes, edges)
    placed = tuple(
        ArchNode(n.key, n.kind, n.ident, n.name, n.detail, distance.get(n.key, UNREACHED), n.in_scope)
        for n in nodes
    )
    return Architecture(placed, tuple(edges))
