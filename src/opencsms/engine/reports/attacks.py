"""Report sections of the attack analysis: WP-15-05 attack paths (the attack trees) and WP-15-06 attack
feasibility ratings (ISO/SAE 21434:2021 15.6, 15.7 and Annex G)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from opencsms.engine.documents import Cell, Column, Figure, Section, Svg, Table
from opencsms.engine.method.profile import INFINITE
from opencsms.engine.reports.context import METHOD_LABELS, Context
from opencsms.engine.reports.path_analysis import path_analysis
from opencsms.engine.reports.tree_pictures import path_tree_svg
from opencsms.engine.tara.evaluate import interface_vectors
from opencsms.engine.tara.feasibility import TreeRater, step_vector
from opencsms.engine.tara.model import AttackPath, FeasibilityMethod, Gate, Node, Rating, Step


def _walk(node: Node, depth: int) -> Iterator[tuple[int, Node]]:
    yield depth, node
    if isinstance(node, Gate):
        for child in node.children:
            yield from _walk(child, depth + 1)


def abbreviation(factor: str) -> str:
    """ET, SE, KoI, WoO, Eq: the usual short names of the attack-potential factors (ISO/IEC 18045)."""
    words = factor.split("_")
    if len(words) == 1:
        return factor[:2].capitalize()
    return "".join(w[0].lower() if w in {"of", "and", "the"} else w[0].upper() for w in words)


class _Ratings:
    """Text of a step's rating inputs, with the profile's labels and values of attack-potential levels."""

    def __init__(self, ctx: Context) -> None:
        table = ctx.profile.source.feasibility.attack_potential
        factors = table.factors if table is not None else {}
        self.order = list(ctx.profile.factor_order)
        self.labels = {name: {lv.id: lv.label for lv in levels} for name, levels in factors.items()}
        self.values = ctx.profile.factor_values
        self.vectors = interface_vectors(ctx.model)

    def legend(self) -> str:
        return ", ".join(f"{abbreviation(f)} {f.replace('_', ' ')}" for f in self.order)

    def _factor(self, factor: str, level: str) -> str:
        value = self.values.get(factor, {}).get(level)
        points = "" if value is None else " (n/p)" if value >= INFINITE else f" ({value})"
        return f"{abbreviation(factor)}: {self.labels.get(factor, {}).get(level, level)}{points}"

    def potential(self, factors: Mapping[str, str] | None) -> tuple[str, ...]:
        if not factors:
            return ()
        ordered = sorted(
            factors.items(), key=lambda kv: self.order.index(kv[0]) if kv[0] in self.order else 99
        )
        return tuple(self._factor(f, level) for f, level in ordered)

    def vector(self, step: Step) -> str | None:
        return step_vector(step, step.rating, self.vectors)

    def lines(self, rating: Rating | None) -> tuple[str, ...]:
        """The rating inputs as written: attack-potential factors, CVSS metrics, attack vector."""
        if rating is None:
            return ()
        parts = list(self.potential(rating.attack_potential))
        if rating.cvss is not None:
            parts.append(f"CVSS {rating.cvss.vector_string()}")
        if rating.vector is not None:
            parts.append(f"Vector: {rating.vector}")
        return tuple(parts)


def _node_row(threat: str, path: str, node: Node, ratings: _Ratings) -> tuple[Cell, ...]:
    if isinstance(node, Gate):
        return (threat, path, node.name, node.kind.upper(), None, None, (), (), ())
    return (
        threat,
        path,
        node.name,
        "STEP",
        node.interface,
        ratings.vector(node),
        ratings.lines(node.rating),
        node.controls,
        ratings.lines(node.residual),
    )


def _path_rows(threat: str, path: AttackPath, ratings: _Ratings) -> Iterator[tuple[int, tuple[Cell, ...]]]:
    yield 0, (threat, path.id, path.name, "PATH", None, None, (), (), ())
    for depth, node in _walk(path.tree, 1):
        yield depth, _node_row(threat, path.id, node, ratings)


MAX_TREE_FIGURES = 50  # a large TARA's report stays readable: the table above holds every tree
TREE_NOTE = "Red: what decides the feasibility (an OR gate's easiest child, every child of an AND gate)."


def tree_figures(ctx: Context) -> list[Figure]:
    """The picture of every attack tree with a gate (a single step says no more than its table row), up to
    MAX_TREE_FIGURES: each node rated by the path's approach, the nodes that decide the feasibility in red."""
    rater = TreeRater(ctx.profile, interface_vectors(ctx.model))
    names = dict(ctx.profile.feasibility.labels)
    figures: list[Figure] = []
    for threat in ctx.threat_scenarios:
        for path in threat.attack_paths:
            if not isinstance(path.tree, Gate) or len(figures) == MAX_TREE_FIGURES:
                continue
            method = path.method or ctx.model.method.feasibility
            svg = path_tree_svg(path, method, rater, names)
            title = f"Attack tree of {threat.id} / {path.id}: {path.name}"
            figures.append(Figure(f"tree-{threat.id}-{path.id}", title, Svg(svg), note=TREE_NOTE))
    return figures


def attack_paths(ctx: Context) -> Section:
    columns = (
        Column("threat", "Threat", "id"),
        Column("path", "Path", "id"),
        Column("node", "Attack tree", "tree"),
        Column("type", "Node", "gate"),
        Column("interface", "Interface", "id"),
        Column("vector", "Vector"),
        Column("rating", "Rating", "lines"),
        Column("controls", "Controls", "ids"),
        Column("residual", "Residual rating", "lines"),
    )
    ratings = _Ratings(ctx)
    rows: list[tuple[Cell, ...]] = []
    depths: list[int] = []
    for threat in ctx.threat_scenarios:
        for path in threat.attack_paths:
            for depth, row in _path_rows(threat.id, path, ratings):
                depths.append(depth)
                rows.append(row)
    note = (
        "AND: every child is needed; OR: any one child suffices. The residual rating applies once the "
        f"controls are in place. Attack-potential factors (points): {ratings.legend()}."
    )
    table = Table("attack-trees", "Attack trees", columns, tuple(rows), tuple(depths), note)
    intro = (
        "Each attack path as an attack tree of gates (AND/OR) and rated attack steps (RQ-15-08, RQ-15-09), "
        "then the best attack path to each asset found on the architecture."
    )
    blocks = [table, *tree_figures(ctx), *path_analysis(ctx)]
    return ctx.section("WP-15-05", "Attack paths", intro, blocks)


def _score(method: FeasibilityMethod, score: float) -> float | int | None:
    if method is FeasibilityMethod.ATTACK_VECTOR or score >= INFINITE:
        return None  # the rating is the vector itself, or a step is not practical at all
    return int(score) if float(score).is_integer() else score


def _potential_label(ctx: Context, method: FeasibilityMethod, score: float) -> str:
    if method is not FeasibilityMethod.ATTACK_POTENTIAL:
        return ""
    return ctx.profile.potential_label(int(score))


def feasibility_ratings(ctx: Context) -> Section:
    columns = (
        Column("threat", "Threat scenario", "id"),
        Column("path", "Attack path", "id"),
        Column("name", "Name"),
        Column("method", "Rating approach"),
        Column("score", "Score", "number"),
        Column("potential", "Attack potential"),
        Column("feasibility", "Feasibility"),
        Column("vector", "Attack vector"),
        Column("residual_score", "Residual score", "number"),
        Column("residual_feasibility", "Residual feasibility"),
    )
    rows: list[tuple[Cell, ...]] = []
    for threat in ctx.threat_scenarios:
        names = {p.id: p.name for p in threat.attack_paths}
        for p in ctx.result.threats[threat.id].paths:
            rows.append(
                (
                    threat.id,
                    p.id,
                    names.get(p.id, ""),
                    METHOD_LABELS[p.method],
                    _score(p.method, p.score),
                    _potential_label(ctx, p.method, p.score),
                    ctx.feasibility(p.feasibility),
                    p.vector,
                    _score(p.method, p.residual_score),
                    ctx.feasibility(p.residual_feasibility),
                )
            )
    note = (
        "Score: the attack potential sum (Annex G.2) or the CVSS exploitability sub-score (Annex G.3); "
        "a threat scenario's feasibility is the highest over its attack paths (RQ-15-15 NOTE 2)."
    )
    table = Table("feasibility", "Attack feasibility per attack path", columns, tuple(rows), note=note)
    intro = "The attack feasibility of every attack path, before and after controls (RQ-15-10..14, Annex G)."
    return ctx.section("WP-15-06", "Attack feasibility", intro, [table])
