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
from opencsms.engine.method.schema import VECTORS
from opencsms.engine.tara.model import AttackPath, Cvss, FeasibilityMethod, Gate, Node, Rating, Step

VECTOR_ORDER = VECTORS  # least to most restrictive
_VECTOR_RANK = {v: i for i, v in enumerate(VECTOR_ORDER)}
_CVSS_AV = {v[0].upper(): v for v in VECTORS}  # CVSS v3.1 AV:N, A, L, P: the vectors' initials
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
        return _CVSS_AV[rating.cvss.av]
    if step.interface is not None:
        return interface_vectors.get(step.interface)
    return None


def exploitability(weights: tuple[float, float, float, float]) -> float:
    """CVSS v3.1 exploitability sub-score 8.22 x AV x AC x PR x UI, rounded half up to two decimals."""
    av, ac, pr, ui = weights
    return int(CVSS_CONSTANT * av * ac * pr * ui * 100 + 0.5 + 1e-9) / 100


Potential = tuple[int, ...]
Weights = tuple[float, float, float, float]


class TreeRater:
    """Rates attack trees under one profile; `interface_vectors` maps interface ids to their vector.

    One walk of a tree yields the initial rating, the residual rating and the path's attack vector.
    """

    def __init__(self, profile: MethodProfile, interface_vectors: Mapping[str, str]) -> None:
        self.profile = profile
        self.interface_vectors = interface_vectors
        self._factors = [(f, profile.factor_values[f]) for f in profile.factor_order]

    def rate(self, path: AttackPath, method: FeasibilityMethod, residual: bool = False) -> PathRating:
        initial, after = self.rate_both(path, method)
        return after if residual else initial

    def rate_both(self, path: AttackPath, method: FeasibilityMethod) -> tuple[PathRating, PathRating]:
        """The path's rating before and after its controls (residual), by one approach of Annex G."""
        profile = self.profile
        if method is FeasibilityMethod.ATTACK_POTENTIAL:
            before, after, rank = self._potential(path.tree)
            vector = VECTOR_ORDER[rank] if rank is not None else None
            total, total_after = sum(before), sum(after)
            return (
                PathRating(profile.feasibility_from_potential(total), total, vector),
                PathRating(profile.feasibility_from_potential(total_after), total_after, vector),
            )
        rank = self._vector(path.tree)
        vector = VECTOR_ORDER[rank] if rank is not None else None
        if method is FeasibilityMethod.CVSS:
            weights, weights_after = self._cvss(path.tree)
            score, score_after = exploitability(weights), exploitability(weights_after)
            return (
                PathRating(profile.feasibility_from_exploitability(score), score, vector),
                PathRating(profile.feasibility_from_exploitability(score_after), score_after, vector),
            )
        if vector is None or rank is None:
            raise ValueError(f"attack path {path.id}: a step has no attack vector")
        rank_after = self._vector(path.tree, residual=True)
        vector_after = VECTOR_ORDER[rank_after] if rank_after is not None else vector
        return (
            PathRating(profile.feasibility_from_vector(vector), rank, vector),
            PathRating(profile.feasibility_from_vector(vector_after), _VECTOR_RANK[vector_after], vector),
        )

    def _potential(self, node: Node) -> tuple[Potential, Potential, int | None]:
        """Attack potential before and after controls, and the vector rank, in one walk."""
        if isinstance(node, Step):
            factors = node.rating.attack_potential or {}
            before = tuple([table[factors[name]] for name, table in self._factors])
            vector = step_vector(node, node.rating, self.interface_vectors)
            rank = _VECTOR_RANK[vector] if vector is not None else None
            override = node.residual.attack_potential if node.residual else None
            if not override:
                return before, before, rank
            after = tuple([table[override.get(name) or factors[name]] for name, table in self._factors])
            return before, after, rank
        parts = [self._potential(child) for child in node.children]
        if len(parts) == 1:
            return parts[0]
        ranks = [p[2] for p in parts]
        if node.kind == "and":
            rank = None if None in ranks else max(r for r in ranks if r is not None)
            return tuple(map(max, *(p[0] for p in parts))), tuple(map(max, *(p[1] for p in parts))), rank
        rank = None if None in ranks else min(r for r in ranks if r is not None)
        return min((p[0] for p in parts), key=sum), min((p[1] for p in parts), key=sum), rank

    def _cvss(self, node: Node) -> tuple[Weights, Weights]:
        if isinstance(node, Step):
            metrics = node.rating.cvss
            assert metrics is not None
            before = self._weights(metrics)
            after = node.residual.cvss if node.residual else None
            return before, self._weights(after) if after else before
        parts = [self._cvss(child) for child in node.children]
        return _combine_weights([p[0] for p in parts], node.kind), _combine_weights(
            [p[1] for p in parts], node.kind
        )

    def _weights(self, metrics: Cvss) -> Weights:
        w = self.profile.cvss_weights
        pr_table = w["PR_scope_changed"] if metrics.scope_changed else w["PR"]
        return (w["AV"][metrics.av], w["AC"][metrics.ac], pr_table[metrics.pr], w["UI"][metrics.ui])

    def _vector(self, node: Node, residual: bool = False) -> int | None:
        if isinstance(node, Step):
            vector = step_vector(node, effective_rating(node, residual), self.interface_vectors)
            return _VECTOR_RANK[vector] if vector is not None else None
        ranks = [self._vector(child, residual) for child in node.children]
        if None in ranks:
            return None
        known = [r for r in ranks if r is not None]
        return max(known) if node.kind == "and" else min(known)


def _combine_weights(parts: list[Weights], kind: str) -> Weights:
    if kind == "and":
        return (
            min(p[0] for p in parts),
            min(p[1] for p in parts),
            min(p[2] for p in parts),
            min(p[3] for p in parts),
        )
    return max(parts, key=lambda w: w[0] * w[1] * w[2] * w[3])


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
