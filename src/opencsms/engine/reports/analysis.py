"""Report sections of the analysis: WP-15-01 damage scenarios, WP-15-02 assets, WP-15-03 threat scenarios,
WP-15-04 impact ratings (ISO/SAE 21434:2021 15.3, 15.4, 15.5)."""

from __future__ import annotations

from opencsms.engine.catalogue import annex5
from opencsms.engine.documents import Cell, Column, Section, Table
from opencsms.engine.reports.context import Context
from opencsms.engine.reports.review import review_table
from opencsms.engine.tara.model import DamageScenario


def category_label(category: str) -> str:
    return category.replace("_", " ").capitalize()


def _categories(ctx: Context, ratings: dict[str, str]) -> list[tuple[str, str]]:
    order = list(ctx.profile.source.impact.categories)
    return sorted(
        ratings.items(), key=lambda kv: (order.index(kv[0]) if kv[0] in order else len(order), kv[0])
    )


def _input_label(ctx: Context, category: str, level: str) -> str:
    table = ctx.profile.source.impact
    if table.aggregation == "weighted_sum":
        return next((w.label for w in table.weights.get(category, []) if w.id == level), level)
    return ctx.impact(level) or level


def impact_inputs(ctx: Context, damage: DamageScenario) -> str:
    """The impact ratings as written in the model, e.g. `Safety: Severe; Operational: Major`."""
    return "; ".join(
        f"{category_label(c)}: {_input_label(ctx, c, level)}"
        for c, level in _categories(ctx, dict(damage.impact))
    )


def damage_scenarios(ctx: Context) -> Section:
    columns = (
        Column("id", "ID", "id"),
        Column("name", "Damage scenario"),
        Column("description", "Description"),
        Column("impact", "Impact ratings"),
        Column("rationale", "Rationale"),
        Column("threats", "Threat scenarios", "ids"),
    )
    rows = tuple(
        (ds.id, ds.name, ds.description, impact_inputs(ctx, ds), ds.rationale, ctx.threats_of(damage=ds.id))
        for ds in ctx.model.damage_scenarios
    )
    table = Table("damage-scenarios", "Damage scenarios", columns, rows)
    intro = "Adverse consequences for road users, each rated per impact category (RQ-15-01)."
    return ctx.section("WP-15-01", "Damage scenarios", intro, [table])


def assets(ctx: Context) -> Section:
    columns = (
        Column("id", "ID", "id"),
        Column("name", "Asset"),
        Column("component", "Component", "id"),
        Column("properties", "Cybersecurity properties"),
        Column("description", "Description"),
        Column("threats", "Threat scenarios", "ids"),
    )
    rows = tuple(
        (a.id, a.name, a.component, a.properties, a.description, ctx.threats_of(asset=a.id))
        for a in ctx.model.assets
    )
    table = Table("assets", "Assets", columns, rows)
    intro = "Assets and the cybersecurity properties whose compromise leads to damage (RQ-15-02)."
    return ctx.section("WP-15-02", "Assets", intro, [table])


def _annex5_table(ctx: Context) -> Table:
    cited: dict[str, list[str]] = {}
    for threat in ctx.threat_scenarios:
        for ref in threat.annex5:
            cited.setdefault(ctx.annex5_id(ref), []).append(threat.id)
    columns = (
        Column("annex5", "R155 Annex 5", "id"),  # the coverage section holds the anchors
        Column("category", "Category"),
        Column("summary", "Threat"),
        Column("mitigations", "Mitigations", "ids"),
        Column("threats", "Threat scenarios", "ids"),
    )
    rows = tuple(
        (entry.id, entry.category, entry.summary, tuple(entry.mitigations), tuple(cited[entry.id]))
        for entry in annex5().threats
        if entry.id in cited
    )
    note = (
        "UN R155 Annex 5 Part A threats that the threat scenarios cite, with the Part B/C mitigations; "
        "the coverage of every threat is in the UN R155 Annex 5 section."
    )
    return Table("annex5", "UN R155 Annex 5 threats covered", columns, rows, note=note)


def threat_scenarios(ctx: Context) -> Section:
    columns = (
        Column("id", "ID", "id"),
        Column("name", "Threat scenario"),
        Column("asset", "Asset", "id"),
        Column("property", "Property"),
        Column("cause", "Cause"),
        Column("stride", "STRIDE"),
        Column("damage", "Damage scenarios", "ids"),
        Column("annex5", "R155 Annex 5", "ids"),
        Column("description", "Description"),
    )
    rows: list[tuple[Cell, ...]] = [
        (
            t.id,
            t.name,
            t.asset,
            t.property,
            t.cause,
            ctx.stride(t.stride),
            t.damage_scenarios,
            tuple(ctx.annex5_id(ref) for ref in t.annex5),
            t.description,
        )
        for t in ctx.threat_scenarios
    ]
    table = Table("threat-scenarios", "Threat scenarios", columns, tuple(rows))
    intro = "The targeted asset, the compromised property and the cause of each threat scenario (RQ-15-03)."
    blocks = [table, _annex5_table(ctx), review_table(ctx)]
    return ctx.section("WP-15-03", "Threat scenarios", intro, blocks)


def _criterion(ctx: Context, damage: DamageScenario, category: str, level: str) -> str:
    table = ctx.profile.source.impact
    if table.aggregation == "weighted_sum":
        return f"weighted sum of {impact_inputs(ctx, damage)}"
    return table.criteria.get(category, {}).get(level, "")


def impact_ratings(ctx: Context) -> Section:
    columns = (
        Column("damage", "Damage scenario", "id"),
        Column("name", "Name"),
        Column("category", "Impact category"),
        Column("impact", "Impact"),
        Column("iso", "ISO/SAE 21434 level"),
        Column("criterion", "Criterion"),
        Column("rationale", "Rationale"),
    )
    rows: list[tuple[Cell, ...]] = []
    for ds in ctx.model.damage_scenarios:
        for category, level in _categories(ctx, dict(ctx.result.impacts.get(ds.id, {}))):
            iso = ctx.profile.impact.maps_to.get(level, level).replace("_", " ")
            rows.append(
                (
                    ds.id,
                    ds.name,
                    category_label(category),
                    ctx.impact(level),
                    iso,
                    _criterion(ctx, ds, category, level),
                    ds.rationale,
                )
            )
    table = Table("impact-ratings", "Impact ratings", columns, tuple(rows))
    intro = "The impact of every damage scenario per category, on the method's scale (RQ-15-04..06)."
    return ctx.section("WP-15-04", "Impact ratings", intro, [table])
