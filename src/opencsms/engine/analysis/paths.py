"""Attack path search over the attack graph (ISO/SAE 21434 15.6 and 15.7).

A path is rated like an AND node of an attack tree: per attack-potential factor the most demanding hop
counts, and the path's potential is the sum of those maxima. That cost never drops when a path grows
(monotone) and keeps the order of two partial paths when both take the same hop (isotone), so:

- `best_paths`: one best-first label search from the attacker with Pareto dominance per node yields the
  best path to every target at once; its cost grows with the graph's size times the (small) number of
  non-dominated factor vectors per node, never with the number of paths.
- `k_best_paths`: Yen's algorithm for the k best simple paths, with that search as its spur step.
Both are checked against brute-force enumeration on small random graphs (tests/engine/analysis).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import count

from opencsms.engine.analysis.graph import ATTACKER, AttackGraph, Hop
from opencsms.engine.method.profile import MethodProfile

Vector = tuple[int, ...]


@dataclass(frozen=True)
class FoundPath:
    hops: tuple[Hop, ...]  # from the attacker through an entry to the target
    potential: Vector  # per factor the most demanding hop, as ranked (before or after controls)

    def _rated(self, residual: bool) -> int:
        vectors = [hop.vector(residual) for hop in self.hops]
        return sum(map(max, *vectors)) if len(vectors) > 1 else sum(vectors[0])

    @property
    def initial_total(self) -> int:
        """The path's attack potential before controls (the initial assessment)."""
        return self._rated(residual=False)

    @property
    def residual_total(self) -> int:
        """The path's attack potential with the controls on the way in place."""
        return self._rated(residual=True)

    @property
    def total(self) -> int:
        return sum(self.potential)

    @property
    def nodes(self) -> tuple[str, ...]:
        return (self.hops[0].source, *(hop.target for hop in self.hops))

    @property
    def entry(self) -> str:
        return self.nodes[1]

    def feasibility(self, profile: MethodProfile) -> str:
        return profile.feasibility_from_potential(self.total)


def _combine(a: Vector, b: Vector) -> Vector:
    return tuple(map(max, a, b))


def _dominated(vector: Vector, settled: list[Vector]) -> bool:
    return any(all(s <= v for s, v in zip(other, vector, strict=True)) for other in settled)


def _search(
    graph: AttackGraph,
    start: str,
    start_vector: Vector,
    targets: set[str],
    *,
    residual: bool = False,
    banned_nodes: frozenset[str] = frozenset(),
    banned_edges: frozenset[tuple[str, str]] = frozenset(),
) -> dict[str, tuple[Vector, tuple[Hop, ...]]]:
    """Best path (cost and hops) from `start` to each reachable target, avoiding the banned."""
    tie = count()
    heap: list[tuple[int, int, Vector, str, tuple[Hop, ...]]] = [
        (sum(start_vector), 0, start_vector, start, ())
    ]
    settled: dict[str, list[Vector]] = {}
    found: dict[str, tuple[Vector, tuple[Hop, ...]]] = {}
    while heap and len(found) < len(targets):
        _, _, vector, node, hops = heapq.heappop(heap)
        if _dominated(vector, settled.setdefault(node, [])):
            continue
        settled[node].append(vector)
        if node in targets and node not in found:
            found[node] = (vector, hops)
        for hop in graph.out.get(node, ()):
            if hop.target in banned_nodes or (hop.source, hop.target) in banned_edges:
                continue
            after = _combine(vector, hop.vector(residual))
            if not _dominated(after, settled.get(hop.target, [])):
                heapq.heappush(heap, (sum(after), next(tie), after, hop.target, (*hops, hop)))
    return found


def _zero(graph: AttackGraph) -> Vector:
    for hops in graph.out.values():
        for hop in hops:
            return tuple(0 for _ in hop.potential)
    return ()


def best_paths(graph: AttackGraph, targets: Iterable[str], residual: bool = False) -> dict[str, FoundPath]:
    """The best attack path to each target node that any entry point reaches (`residual`: with controls)."""
    wanted = set(targets)
    found = _search(graph, ATTACKER, _zero(graph), wanted, residual=residual)
    return {node: FoundPath(hops, vector) for node, (vector, hops) in found.items()}


def k_best_paths(graph: AttackGraph, target: str, k: int, residual: bool = False) -> list[FoundPath]:
    """The k best simple attack paths to `target`, best first (Yen's algorithm)."""
    first = best_paths(graph, [target], residual).get(target)
    if first is None or k < 1:
        return []
    chosen, seen = [first], {first.nodes}
    candidates: list[tuple[int, int, FoundPath]] = []
    tie = count()
    while len(chosen) < k:
        previous = chosen[-1]
        for i in range(len(previous.hops)):
            root = previous.hops[:i]
            root_nodes = previous.nodes[: i + 1]
            banned_edges = frozenset(
                (p.nodes[i], p.nodes[i + 1]) for p in chosen if p.nodes[: i + 1] == root_nodes
            )
            root_vector = _zero(graph)
            for hop in root:
                root_vector = _combine(root_vector, hop.vector(residual))
            spur = _search(
                graph,
                root_nodes[-1],
                root_vector,
                {target},
                residual=residual,
                banned_nodes=frozenset(root_nodes[:-1]),
                banned_edges=banned_edges,
            )
            if target in spur:
                vector, hops = spur[target]
                path = FoundPath((*root, *hops), vector)
                if path.nodes not in seen:
                    seen.add(path.nodes)
                    heapq.heappush(candidates, (path.total, next(tie), path))
        if not candidates:
            break
        chosen.append(heapq.heappop(candidates)[2])
    return chosen
