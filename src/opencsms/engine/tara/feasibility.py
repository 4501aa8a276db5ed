"""Attack feasibility of attack trees by the three approaches of ISO/SAE 21434:2021 Annex G (15.7).

Aggregation through a tree (documented in docs/method.md):
- AND (every step is needed): the combination is as demanding as its most demanding part, factor by
  factor: the highest value of each attack-potential factor, the lowest weight of each CVSS
  exploitability metric, the most restrictive attack vector. Adding a step never makes an attack easier.
- OR (any child suffices): the attacker takes the easiest child: the lowest attack-potential sum,
  the highest exploitability, the least restrictive attack vector.
A threat scenario's feasibility is the highest over its attack paths (RQ-15-15 NOTE 2).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from opencsms.engine.method.profile import MethodProfile
from opencsms.engine.tara.model import AttackPath, Cvss, FeasibilityMethod, Gate, Node, Rating, Step

VECTOR_ORDER = ("network", "adjacent", "local", "physical")  # least to most restrictive
_VECTOR_RANK = {v: i for i, v in enumerate(VECTOR_ORDER)}
CVSS_CONSTANT = 8.22


@dataclass(frozen=True, slots=True)
class PathRating:
    """The feasibility of one attack path: native level, the score behind it, and the path's vector."""

    feasibility: str
    score: float  # attack potential sum, CVSS exploitability, or the vector's rank
    vector: str | None


def effective_rating(step: Step, residual: bool) -> Rating:
    """The step's rating, or after its controls: residual attack-potential factors override one by one."""
    if not residual or step.residual is None:
        return step.rating
    after = step.residual
    potential = step.rating.attack_potential
    if after.attack_potential is not None:
        potential = {**(potential or {}), **after.attack_potential}
    return Rating(
        attack_potential=potential,
        cvss=after.cvss or step.rating.cvss,
        vector=after.vector or step.rating.vector,
    )


def step_vector(step: Step, rating: Rating, interface_vectors: Mapping[str, str]) -> str | None:
    """A step's attack vector: as rated, else implied by the kind of interface it uses."""
    if rating.vector is not None:
        return rating.vector
    if rating.cvss is not None:
        return {"N": "network", "A": "adjacent", "L": "local", "P": "physical"}[rating.cvss.av]
    if step.interface is not None:
        return interface_vectors.get(step.interface)
    return None


def exploitability(weights: tuple[float, float, float, float]) -> float:
    """CVSS v3.1 exploitability sub-score 8.22 x AV x AC x PR x UI, rounded half up to two decimals."""
    av, ac, pr, ui = weights
    return int(CVSS_CONSTANT * av * ac * pr * ui * 100 + 0.5 + 1e-9) / 100


class TreeRater:
    """Rates attack trees under one profile; `interface_vectors` maps interface ids to their vector."""

    def __init__(self, profile: MethodProfile, interface_vectors: Mapping[str, str]) -> None:
        self.profile = profile
        self.interface_vectors = interface_vectors
        self._factor_tables = [profile.factor_values[f] for f in profile.factor_order]

    def rate(self, path: AttackPath, method: FeasibilityMethod, residual: bool = False) -> PathRating:
        vector = self._vector(path.tree, residual)
        if method is FeasibilityMethod.ATTACK_POTENTIAL:
            total = sum(self._potential(path.tree, residual))
            return PathRating(self.profile.feasibility_from_potential(total), total, vector)
        if method is FeasibilityMethod.CVSS:
            score = exploitability(self._cvss(path.tree, residual))
            return PathRating(self.profile.feasibility_from_exploitability(score), score, vector)
        if vector is None:
            raise ValueError(f"attack path {path.id}: a step has no attack vector")
        return PathRating(self.profile.feasibility_from_vector(vector), _VECTOR_RANK[vector], vector)

    def _potential(self, node: Node, residual: bool) -> tuple[int, ...]:
        if isinstance(node, Step):
            factors = effective_rating(node, residual).attack_potential or {}
            order = self.profile.factor_order
            return tuple(table[factors[name]] for name, table in zip(order, self._factor_tables, strict=True))
        parts = [self._potential(child, residual) for child in node.children]
        if node.kind == "and":
            return tuple(map(max, *parts)) if len(parts) > 1 else parts[0]
        return min(parts, key=sum)

    def _cvss(self, node: Node, residual: bool) -> tuple[float, float, float, float]:
        if isinstance(node, Step):
            metrics = effective_rating(node, residual).cvss
            assert metrics is not None
            return self._weights(metrics)
        parts = [self._cvss(child, residual) for child in node.children]
        if node.kind == "and":
            return (min(p[0] for p in parts), min(p[1] for p in parts),
                    min(p[2] for p in parts), min(p[3] for p in parts))
        return max(parts, key=lambda w: w[0] * w[1] * w[2] * w[3])

    def _weights(self, metrics: Cvss) -> tuple[float, float, float, float]:
        w = self.profile.cvss_weights
        pr_table = w["PR_scope_changed"] if metrics.scope_changed else w["PR"]
        return (w["AV"][metrics.av], w["AC"][metrics.ac], pr_table[metrics.pr], w["UI"][metrics.ui])

    def _vector(self, node: Node, residual: bool) -> str | None:
        if isinstance(node, Step):
            return step_vector(node, effective_rating(node, residual), self.interface_vectors)
        parts = [self._vector(child, residual) for child in node.children]
        if any(p is None for p in parts):
            return None
        ranks = [_VECTOR_RANK[p] for p in parts if p is not None]
        return VECTOR_ORDER[max(ranks) if node.kind == "and" else min(ranks)]


def iter_steps(node: Node) -> list[Step]:
    """The leaves of a tree, left to right."""
    if isinstance(node, Step):
        return [node]
    steps: list[Step] = []
    pending: list[Node] = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, Gate):
            pending.extend(reversed(current.children))
        else:
            steps.append(current)
    return steps
