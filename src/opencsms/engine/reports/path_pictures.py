"""Attack paths of one asset, and the architecture, as pictures with their figures, for pages that show
one analysis at a time (the web workspace) rather than the whole report.

ISO/SAE 21434:2021 15.6 (attack path analysis) and 15.7 with Annex G.2: each path is rated by the most
demanding hop per attack-potential factor, before and after the controls on the way. The pictures are
the report's own (`pictures.figure_svg`): the architecture dimmed, the path drawn on top in red.
"""

from __future__ import annotations

from dataclasses import dataclass

from opencsms.engine.analysis.attack_paths import asset_paths
from opencsms.engine.analysis.graph import AttackGraph, build_graph
from opencsms.engine.analysis.paths import FoundPath
from opencsms.engine.reports.context import Context
from opencsms.engine.reports.path_analysis import route, steps
from opencsms.engine.reports.pictures import Drawing, figure_svg
from opencsms.engine.tara.result import TaraResult


@dataclass(frozen=True)
class PathPicture:
    """One attack path to an asset, rated, with its picture (inline SVG markup)."""

    rank: int
    entry: str  # the entry point's interface id
    entry_name: str
    vector: str  # the entry's attack vector
    route: str  # `CELL → TCU → ETH-BB → CGW`
    steps: tuple[str, ...]
    potential: int
    potential_rating: str
    feasibility: str
    residual_potential: int
    residual_feasibility: str
    svg: str  # "" when not drawn


@dataclass(frozen=True)
class AssetPathPictures:
    asset: str
    component: str
    threats: tuple[str, ...]  # threat scenarios in the analysis that target the asset
    paths: tuple[PathPicture, ...]  # best first; empty when no entry point reaches it


def architecture_svg(result: TaraResult, links: tuple[tuple[str, str], ...] = ()) -> str:
    """The architecture picture alone (WP-09-01), or "" when the model has no architecture to draw;
    `links` as `Drawing.links` (the pages link each node to its component or interface)."""
    arch = Context(result).architecture()
    if not arch.nodes:
        return ""
    return figure_svg(Drawing(arch, "Architecture", links=links), "architecture", draw_base=True)


def _picture(
    ctx: Context, graph: AttackGraph, rank: int, path: FoundPath, *, title: str, drawn: bool
) -> PathPicture:
    profile = ctx.profile
    entry = path.entry.removeprefix("entry:")
    drawing = Drawing(ctx.architecture(), title, tuple((hop.source, hop.target) for hop in path.hops))
    return PathPicture(
        rank=rank,
        entry=entry,
        entry_name=graph.names.get(path.entry, entry),
        vector=graph.entry_vector[path.entry],
        route=route(path),
        steps=steps(path),
        potential=path.initial_total,
        potential_rating=profile.potential_label(path.initial_total),
        feasibility=ctx.feasibility(profile.feasibility_from_potential(path.initial_total)) or "",
        residual_potential=path.residual_total,
        residual_feasibility=ctx.feasibility(profile.feasibility_from_potential(path.residual_total)) or "",
        svg=figure_svg(drawing, f"path-base-{rank}", draw_base=True) if drawn else "",
    )


def asset_path_pictures(
    result: TaraResult,
    asset: str | None,
    k: int,
    *,
    residual: bool = False,
    drawn: bool = True,
) -> list[AssetPathPictures]:
    """The k best attack paths from every entry point to the component of `asset` (or of every asset),
    each rated and, when `drawn`, with its picture (`residual`: ranked with the controls on the way).
    `RuleViolation` names an unknown asset or one without a component."""
    ctx = Context(result)
    graph = build_graph(result.model, result.profile)
    found = asset_paths(result.model, result.profile, asset, k, graph, residual=residual)
    views = []
    for item in found:
        name = graph.names.get(f"component:{item.component}", item.component)
        pictures = tuple(
            _picture(ctx, graph, rank, path, title=f"Path {rank} to {name}", drawn=drawn)
            for rank, path in enumerate(item.paths, 1)
        )
        views.append(AssetPathPictures(item.asset, item.component, item.threats, pictures))
    return views
