"""Attack paths per asset and threat scenario, and their conversion into attack trees of the model."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from opencsms.engine.analysis.graph import ATTACKER, AttackGraph, Hop, build_graph
from opencsms.engine.analysis.paths import FoundPath, best_paths, k_best_paths
from opencsms.engine.errors import RuleViolation
from opencsms.engine.method.profile import MethodProfile
from opencsms.engine.tara.model import AttackPath, Gate, Node, Rating, Step, TaraModel
from opencsms.engine.tara_as_code.io import load_file


@dataclass(frozen=True)
class AssetPaths:
    asset: str
    component: str
    threats: tuple[str, ...]  # threat scenarios in the analysis that target the asset
    paths: tuple[FoundPath, ...]  # best first; empty when no entry point reaches the component


def asset_paths(
    model: TaraModel,
    profile: MethodProfile,
    asset: str | None = None,
    k: int = 1,
    graph: AttackGraph | None = None,
    *,
    residual: bool = False,
) -> list[AssetPaths]:
    """The k best attack paths to each asset's component (or to one asset), from every entry point."""
    graph = graph or build_graph(model, profile)
    assets = [a for a in model.assets if a.component and (asset is None or a.id == asset)]
    if asset is not None and not assets:
        raise RuleViolation(f"asset {asset!r} does not exist or has no component to reach")
    targets = {f"component:{a.component}" for a in assets}
    best = best_paths(graph, targets, residual) if k == 1 else {}
    by_asset: dict[str, list[str]] = {}
    for threat in model.threat_scenarios:
        if threat.in_analysis:
            by_asset.setdefault(threat.asset, []).append(threat.id)
    found = []
    for a in assets:
        target = f"component:{a.component}"
        paths = (
            ([best[target]] if target in best else []) if k == 1 else k_best_paths(graph, target, k, residual)
        )
        found.append(AssetPaths(a.id, a.component or "", tuple(by_asset.get(a.id, ())), tuple(paths)))
    return found


def _step(step_id: str, hop: Hop, vector: str) -> Step:
    """A hop as a step: rated before controls, with the controls' effect as its residual rating."""
    rating = Rating(attack_potential=dict(hop.factors), vector=vector)
    raised = {f: level for f, level in hop.residual_factors.items() if hop.factors[f] != level}
    if not raised:
        return Step(step_id, hop.step, rating, hop.interface)
    return Step(step_id, hop.step, rating, hop.interface, hop.controls, Rating(attack_potential=raised))


def to_attack_path(found: FoundPath, graph: AttackGraph, path_id: str) -> AttackPath:
    """An attack path of the model: an AND of one step per hop, each rated by its hop's factors.

    Every step after the entry is done from the foothold the attacker gained, so it carries the entry's
    attack vector; the engine then rates the tree exactly as the search did, before and after controls.
    """
    hops = [hop for hop in found.hops if hop.source != ATTACKER]
    vector = graph.entry_vector[found.entry]
    steps: list[Node] = [_step(f"{path_id}.{i}", hop, vector) for i, hop in enumerate(hops, 1)]
    tree: Node = steps[0] if len(steps) == 1 else Gate(f"{path_id}.root", "All of", "and", tuple(steps))
    names = " -> ".join(graph.names.get(n, n) for n in found.nodes[1:])
    return AttackPath(path_id, f"Attack path analysis: {names}", tree)


def paths_for_threat(
    model: TaraModel, profile: MethodProfile, threat_id: str, k: int, graph: AttackGraph | None = None
) -> list[AttackPath]:
    """The k best paths to a threat scenario's asset as attack paths of the model (ISO/SAE 21434 15.6),
    numbered after the paths the threat scenario has: `TS-1.AP3`, `TS-1.AP4`, ..."""
    threat = next((t for t in model.threat_scenarios if t.id == threat_id), None)
    if threat is None:
        raise RuleViolation(f"no threat scenario {threat_id!r}")
    graph = graph or build_graph(model, profile)
    [found] = asset_paths(model, profile, threat.asset, k, graph)
    taken = set(model.locations) | {p.id for t in model.threat_scenarios for p in t.attack_paths}
    numbers = (n for n in range(1, 10_000) if f"{threat_id}.AP{n}" not in taken)
    return [to_attack_path(p, graph, f"{threat_id}.AP{next(numbers)}") for p in found.paths]


def render_paths(results: list[AssetPaths], profile: MethodProfile, graph: AttackGraph) -> str:
    lines = []
    for result in results:
        threats = ", ".join(result.threats) or "no threat scenario yet"
        lines.append(f"{result.asset} on {result.component} ({threats})")
        if not result.paths:
            lines.append("  no entry point reaches it")
        for rank, path in enumerate(result.paths, 1):
            entry = graph.names.get(path.entry, path.entry)
            after = profile.feasibility_from_potential(path.residual_total)
            before = profile.feasibility_from_potential(path.initial_total)
            lines.append(
                f"  {rank}. potential {path.initial_total} -> feasibility {before}, with controls "
                f"{path.residual_total} -> {after}, entry {entry} ({graph.entry_vector[path.entry]})"
            )
            lines += [f"       {hop.step}" for hop in path.hops if hop.source != ATTACKER]
    return "\n".join(lines) + "\n"


def paths_report(file: Path, asset: str | None, k: int, residual: bool = False) -> str:
    """`opencsms tara paths FILE`: the k best attack paths per asset (`residual`: ranked with controls)."""
    model, profile = load_file(file)
    graph = build_graph(model, profile)
    return render_paths(asset_paths(model, profile, asset, k, graph, residual=residual), profile, graph)
