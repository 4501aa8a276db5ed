"""A first attack path for each proposed threat scenario: the best path from any external entry point to its
asset's component over the architecture's attack graph (ISO/SAE 21434 15.6), as the attack tree `<id>.AP1`,
so that a generated threat scenario has a feasibility and a risk value at once (15.7, 15.8).

It is an initial estimate from the attack-hop catalogue: the engineer reviews it with the proposal, and
re-rates or replaces it like any hand-written attack tree.
"""

from __future__ import annotations

from collections.abc import Iterable

from opencsms.engine.analysis.attack_paths import to_attack_path
from opencsms.engine.analysis.graph import build_graph
from opencsms.engine.analysis.paths import best_paths
from opencsms.engine.method.profile import MethodProfile
from opencsms.engine.tara.model import AttackPath, Gate, Node, Step, TaraModel
from opencsms.engine.threatgen.match import Proposal


def _renamed(node: Node, old: str, new: str) -> Node:
    """`node` with its id's prefix `old` replaced by `new`, sharing the (immutable) ratings."""
    ident = new + node.id[len(old) :]
    if isinstance(node, Gate):
        return Gate(ident, node.name, node.kind, tuple(_renamed(c, old, new) for c in node.children))
    return Step(ident, node.name, node.rating, node.interface, node.controls, node.residual)


def first_paths(
    model: TaraModel, profile: MethodProfile, proposals: Iterable[Proposal]
) -> dict[str, AttackPath]:
    """Proposal id -> its first attack path; proposals whose asset no entry point reaches have none.
    Proposals on one component share its best path, built once and renumbered for each."""
    wanted = list(proposals)
    if not wanted:
        return {}
    components = {a.id: a.component for a in model.assets if a.component}
    graph = build_graph(model, profile)
    best = best_paths(graph, {f"component:{c}" for c in components.values()})
    built = {target: to_attack_path(found, graph, "_") for target, found in best.items()}
    paths: dict[str, AttackPath] = {}
    for proposal in wanted:
        path = built.get(f"component:{components.get(proposal.asset)}")
        if path is not None:
            ident = f"{proposal.id}.AP1"
            paths[proposal.id] = AttackPath(ident, path.name, _renamed(path.tree, "_", ident))
    return paths
