"""Report sections of risk: WP-15-07 risk values with the risk heat map, and WP-15-08 risk treatment
decisions (ISO/SAE 21434:2021 15.8, 15.9)."""

from __future__ import annotations

from opencsms.engine.documents import Axis, Cell, Column, HeatCell, HeatMap, Level, Section, Table
from opencsms.engine.reports.analysis import category_label
from opencsms.engine.reports.context import Context
from opencsms.engine.tara.feasibility import iter_steps
from opencsms.engine.tara.model import ThreatScenario


def heat_map(ctx: Context, residual: bool = False) -> HeatMap:
    """Threat scenarios per cell of the risk matrix (`TaraResult.heat_map`), each cell with its risk value."""
    counts = ctx.result.heat_map(residual)
    impacts = tuple(reversed(ctx.profile.impact.ids))
    feasibilities = ctx.profile.feasibility.ids
    cells = tuple(
        tuple(HeatCell(i, f, ctx.profile.risk(i, f)[1], counts.get((i, f), 0)) for f in feasibilities)
        for i in impacts
    )
    title = "Residual risk (after controls)" if residual else "Initial risk"
    return HeatMap(
        "heatmap-residual" if residual else "heatmap-initial",
        title,
        Axis("impact", "impacts", "Impact", "Impact", tuple(Level(i, ctx.impact(i) or i) for i in impacts)),
        Axis(
            "feasibility",
            "feasibilities",
            "Feasibility",
            "Attack feasibility",
            tuple(Level(f, ctx.feasibility(f) or f) for f in feasibilities),
        ),
        cells,
        value="risk",
        value_label="risk value",
        badge="risk",
        counted="threat scenarios",
        total_label="rated threat scenarios",
    )


def _threat_table(ctx: Context) -> Table:
    columns = (
        Column("threat", "Threat scenario", "id"),
        Column("name", "Name"),
        Column("impact", "Impact (highest)"),
        Column("feasibility", "Feasibility"),
        Column("risk", "Risk", "risk"),
        Column("residual_feasibility", "Residual feasibility"),
        Column("residual_risk", "Residual risk", "risk"),
        Column("cal", "CAL", "number"),
    )
    rows: list[tuple[Cell, ...]] = []
    for threat in ctx.threat_scenarios:
        r = ctx.result.threats[threat.id]
        rows.append(
            (
                threat.id,
                threat.name,
                ctx.impact(r.impact),
                ctx.feasibility(r.feasibility),
                r.risk,
                ctx.feasibility(r.residual_feasibility),
                r.residual_risk,
                r.cal,
            )
        )
    note = "A threat scenario's risk is the highest of its risk values (per damage scenario and category)."
    return Table("threat-risks", "Risk per threat scenario", columns, tuple(rows), note=note)


def _cell_table(ctx: Context) -> Table:
    columns = (
        Column("threat", "Threat scenario", "id"),
        Column("damage", "Damage scenario", "id"),
        Column("category", "Impact category"),
        Column("impact", "Impact"),
        Column("feasibility", "Feasibility"),
        Column("risk", "Risk", "risk"),
        Column("residual_feasibility", "Residual feasibility"),
        Column("residual_risk", "Residual risk", "risk"),
    )
    rows: list[tuple[Cell, ...]] = []
    values = ctx.result.risk_values()
    for threat in ctx.threat_scenarios:
        r = ctx.result.threats[threat.id]
        after = r.residual_feasibility
        for cell in r.risks:
            residual = values[threat.id, cell.damage_scenario, cell.category][1]
            rows.append(
                (
                    threat.id,
                    cell.damage_scenario,
                    category_label(cell.category),
                    ctx.impact(cell.impact),
                    ctx.feasibility(r.feasibility),
                    cell.value,
                    ctx.feasibility(after),
                    residual,
                )
            )
    return Table("risk-values", "Risk values per damage scenario and impact category", columns, tuple(rows))


def risk_values(ctx: Context) -> Section:
    blocks = (_threat_table(ctx), _cell_table(ctx), heat_map(ctx), heat_map(ctx, residual=True))
    intro = (
        "Risk values 1 (lowest) to 5 (highest) from the method's risk matrix, per damage scenario and "
        "impact category (RQ-15-15, RQ-15-16), and the risk heat map before and after treatment."
    )
    return ctx.section("WP-15-07", "Risk values", intro, blocks)


def _controls(threat: ThreatScenario) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for path in threat.attack_paths:
        for step in iter_steps(path.tree):
            seen.update(dict.fromkeys(step.controls))
    return tuple(seen)


def treatment_decisions(ctx: Context) -> Section:
    acceptance = ctx.model.method.acceptance
    columns = (
        Column("threat", "Threat scenario", "id"),
        Column("name", "Name"),
        Column("risk", "Risk", "risk"),
        Column("decision", "Decision"),
        Column("goals", "Goals", "ids"),
        Column("claims", "Claims", "ids"),
        Column("controls", "Controls", "ids"),
        Column("rationale", "Rationale"),
        Column("residual_risk", "Residual risk", "risk"),
        Column("acceptable", f"Residual at or below {acceptance}", "check"),
    )
    rows: list[tuple[Cell, ...]] = []
    for threat in ctx.threat_scenarios:
        r, d = ctx.result.threats[threat.id], threat.treatment
        acceptable = None if r.residual_risk is None else r.residual_risk <= acceptance
        rows.append(
            (
                threat.id,
                threat.name,
                r.risk,
                tuple(o.value for o in d.options) if d else (),
                d.goals if d else (),
                d.claims if d else (),
                _controls(threat),
                d.rationale if d else "",
                r.residual_risk,
                acceptable,
            )
        )
    note = f"Acceptance level: risk values up to {acceptance} may be retained without a rationale."
    table = Table("treatment", "Risk treatment decisions", columns, tuple(rows), note=note)
    intro = "The decision for every threat scenario: avoid, reduce, share or retain (RQ-15-17)."
    return ctx.section("WP-15-08", "Risk treatment", intro, [table])
