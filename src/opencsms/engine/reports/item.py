"""Report section WP-09-01: the item definition (ISO/SAE 21434:2021 9.3, RQ-09-01, RQ-09-02)."""

from __future__ import annotations

from opencsms.engine.documents import Block, Column, Fact, Facts, Figure, Section, Table
from opencsms.engine.reports.context import Context
from opencsms.engine.reports.pictures import Drawing


def _facts(ctx: Context) -> Facts:
    item = ctx.model.item
    return Facts(
        "item",
        "Item",
        (
            Fact("Item", item.name),
            Fact("Description", item.description),
            Fact("Boundary", item.boundary),
            Fact("Out of scope", item.out_of_scope, "lines"),
            Fact("Operational environment", item.operational_environment, "lines"),
        ),
    )


def _functions(ctx: Context) -> Table:
    columns = (
        Column("id", "ID", "id"),
        Column("name", "Function"),
        Column("description", "Description"),
        Column("components", "Realised by", "ids"),
    )
    rows = tuple(
        (f.id, f.name, f.description, tuple(c.id for c in ctx.model.components if f.id in c.functions))
        for f in ctx.model.item.functions
    )
    return Table("functions", "Functions", columns, rows)


def _assumptions(ctx: Context) -> Table:
    columns = (Column("id", "ID", "id"), Column("text", "Assumption"))
    rows = tuple((a.id, a.text) for a in ctx.model.item.assumptions)
    return Table("assumptions", "Assumptions on the operational environment", columns, rows)


def _components(ctx: Context) -> Table:
    columns = (
        Column("id", "ID", "id"),
        Column("name", "Component"),
        Column("kind", "Kind"),
        Column("in_scope", "In scope", "bool"),
        Column("functions", "Functions", "ids"),
        Column("interfaces", "Interfaces", "ids"),
        Column("description", "Description"),
    )
    rows = tuple(
        (
            c.id,
            c.name,
            c.kind,
            c.in_scope,
            c.functions,
            tuple(i.id for i in ctx.model.interfaces if c.id in i.components),
            c.description,
        )
        for c in ctx.model.components
    )
    return Table("components", "Components", columns, rows)


def _interfaces(ctx: Context) -> Table:
    columns = (
        Column("id", "ID", "id"),
        Column("name", "Interface"),
        Column("kind", "Kind"),
        Column("vector", "Attack vector"),
        Column("external", "External", "bool"),
        Column("components", "Components", "ids"),
        Column("description", "Description"),
    )
    rows = tuple(
        (i.id, i.name, i.kind, ctx.interface_vector(i.kind), i.external, i.components, i.description)
        for i in ctx.model.interfaces
    )
    return Table("interfaces", "Interfaces", columns, rows)


def _data_flows(ctx: Context) -> Table:
    columns = (
        Column("id", "ID", "id"),
        Column("source", "Source", "id"),
        Column("target", "Target", "id"),
        Column("interface", "Interface", "id"),
        Column("data", "Data"),
    )
    rows = tuple((d.id, d.source, d.target, d.interface, d.data) for d in ctx.model.data_flows)
    return Table("data-flows", "Data flows", columns, rows)


def architecture_figure(ctx: Context) -> tuple[Block, ...]:
    """The architecture picture (HTML and PDF), if there is anything to draw."""
    arch = ctx.architecture()
    if not arch.nodes:
        return ()
    note = (
        "Components, buses and external entry points, laid out by distance from the entry points over the "
        "attack graph; dashed: out of scope."
    )
    return (Figure("architecture", "Architecture", Drawing(arch, "Architecture"), note=note),)


def item_definition(ctx: Context) -> Section:
    blocks = (
        _facts(ctx),
        *architecture_figure(ctx),
        _functions(ctx),
        _components(ctx),
        _interfaces(ctx),
        _data_flows(ctx),
        _assumptions(ctx),
    )
    intro = (
        "The item, its functions, boundary, operational environment and architecture (RQ-09-01, RQ-09-02)."
    )
    return ctx.section("WP-09-01", "Item definition", intro, blocks)
