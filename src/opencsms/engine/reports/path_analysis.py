"""Attack path analysis in WP-15-05 (ISO/SAE 21434:2021 15.6, RQ-15-08; 15.7 Annex G.2): the best attack
path from any external entry point to each asset's component, found on the attack graph of the architecture
(`analysis.attack_paths.asset_paths`, k = 1), as a table and, in HTML, as the architecture with the path.

Assets on the same component share its best path, so there is one row and one picture per component.
"""

from __future__ import annotations

from opencsms.engine.analysis.attack_paths import AssetPaths, asset_paths
from opencsms.engine.analysis.graph import ATTACKER, AttackGraph, build_graph
from opencsms.engine.analysis.paths import FoundPath
from opencsms.engine.documents import Block, Cell, Column, Figure, Table
from opencsms.engine.errors import RuleViolation
from opencsms.engine.reports.context import Context
from opencsms.engine.reports.pictures import Drawing

COLUMNS = (
    Column("component", "Target component", "id"),
    Column("name", "Component"),
    Column("assets", "Assets", "ids"),
    Column("threats", "Threat scenarios", "ids"),
    Column("entry", "Entry point", "id"),
    Column("vector", "Attack vector"),
    Column("route", "Attack path"),
    Column("potential", "Attack potential", "number"),
    Column("rating", "Potential rating"),
    Column("feasibility", "Feasibility"),
    Column("residual_potential", "With controls", "number"),
    Column("residual_feasibility", "Feasibility with controls"),
)
TITLE = "Attack path analysis"


def steps(path: FoundPath) -> tuple[str, ...]:
    """What the attacker does in each hop after reaching the entry point, numbered from 1."""
    hops = [hop for hop in path.hops if hop.source != ATTACKER]
    return tuple(f"{i}. {hop.step}" for i, hop in enumerate(hops, 1))


def route(path: FoundPath) -> str:
    """The footholds of the path by id, from the entry point to the target: `CELL → TCU → ETH-BB → CGW`."""
    return " \u2192 ".join(node.split(":", 1)[1] for node in path.nodes[1:])


def by_component(found: list[AssetPaths]) -> dict[str, list[AssetPaths]]:
    """The assets grouped by the component that holds them, in the order of the model."""
    groups: dict[str, list[AssetPaths]] = {}
    for item in found:
        groups.setdefault(item.component, []).append(item)
    return groups


def _threats(group: list[AssetPaths]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(t for item in group for t in item.threats))


class _Rows:
    """Rows and pictures of the analysis, one per component that holds an asset."""

    def __init__(self, ctx: Context, graph: AttackGraph) -> None:
        self.ctx, self.graph = ctx, graph
        self.arch = ctx.architecture()
        self.rows: list[tuple[Cell, ...]] = []
        self.figures: list[Figure] = []

    def add(self, component: str, group: list[AssetPaths]) -> None:
        ctx, graph = self.ctx, self.graph
        name = graph.names.get(f"component:{component}", component)
        assets, threats = tuple(item.asset for item in group), _threats(group)
        path = group[0].paths[0] if group[0].paths else None
        if path is None:
            self.rows.append(
                (component, name, assets, threats, None, None, "", None, None, "not reachable", None, None)
            )
            return
        entry = path.entry.removeprefix("entry:")
        vector = graph.entry_vector[path.entry]
        rating = ctx.profile.potential_label(path.total)
        feasibility = ctx.feasibility(path.feasibility(ctx.profile))
        self.rows.append(
            (
                component,
                name,
                assets,
                threats,
                entry,
                vector,
                route(path),
                path.total,
                rating,
                feasibility,
                path.residual_total,
                ctx.feasibility(ctx.profile.feasibility_from_potential(path.residual_total)),
            )
        )
        lead = (
            f"Entry {graph.names.get(path.entry, entry)} ({vector}) · attack potential {path.total} "
            f"({rating}) · feasibility {feasibility}; with the controls on the way {path.residual_total}"
        )
        note = f"Assets {', '.join(assets)} · threat scenarios {', '.join(threats) or 'none yet'}"
        title = f"{name} ({component})"
        hops = tuple((hop.source, hop.target) for hop in path.hops)
        self.figures.append(
            Figure(
                key=f"path-{component}",
                title=title,
                picture=Drawing(self.arch, title, hops),
                note=note,
                steps=steps(path),
                lead=lead,
                variant="path",
            )
        )


def path_analysis(ctx: Context) -> tuple[Block, ...]:
    """The table of best attack paths per target component, then one picture per reachable component."""
    try:
        graph = build_graph(ctx.model, ctx.profile)
    except RuleViolation as error:
        return (Table("attack-path-analysis", TITLE, COLUMNS, (), note=f"Not available: {error}."),)
    found = asset_paths(ctx.model, ctx.profile, k=1, graph=graph)
    rows = _Rows(ctx, graph)
    for component, group in by_component(found).items():
        rows.add(component, group)
    note = (
        "The best path from any external entry point to each asset's component over the architecture's "
        "attack graph; hops are rated by the attack-hop catalogue and raised by the controls on the way. "
        "Per attack-potential factor the most demanding hop counts; the potential is their sum (Annex G.2)."
    )
    table = Table("attack-path-analysis", TITLE, COLUMNS, tuple(rows.rows), note=note)
    return (table, *rows.figures)
