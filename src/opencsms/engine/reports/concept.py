"""Report sections of the concept phase: WP-09-03 goals, WP-09-04 claims, WP-09-06 cybersecurity concept
(ISO/SAE 21434:2021 9.4, 9.5), then traceability and the findings of the method's rules."""

from __future__ import annotations

from opencsms.engine.documents import Cell, Column, Section, Table
from opencsms.engine.reports.context import CAL_METHODS, ISO, Context
from opencsms.engine.tara.feasibility import iter_steps
from opencsms.engine.tara.result import Severity


def goals(ctx: Context) -> Section:
    columns = (
        Column("id", "ID", "id"),
        Column("name", "Cybersecurity goal"),
        Column("description", "Description"),
        Column("determined_cal", "CAL determined", "number"),
        Column("declared_cal", "CAL declared", "number"),
        Column("cal", "CAL", "number"),
        Column("threats", "Threat scenarios", "ids"),
        Column("requirements", "Requirements", "ids"),
    )
    rows: list[tuple[Cell, ...]] = []
    for goal in ctx.model.goals:
        r = ctx.result.goals[goal.id]
        rows.append(
            (
                goal.id,
                goal.name,
                goal.description,
                r.determined_cal,
                goal.cal,
                r.cal,
                r.threats,
                r.requirements,
            )
        )
    note = f"CAL determined from the reduced threat scenarios by {CAL_METHODS[ctx.model.method.cal]}."
    table = Table("goals", "Cybersecurity goals", columns, tuple(rows), note=note)
    intro = "Goals for the risks that are reduced, with their cybersecurity assurance level (RQ-09-05)."
    return ctx.section("WP-09-03", "Cybersecurity goals", intro, [table])


def claims(ctx: Context) -> Section:
    columns = (
        Column("id", "ID", "id"),
        Column("text", "Cybersecurity claim"),
        Column("threats", "Threat scenarios", "ids"),
        Column("decisions", "Decisions"),
    )
    rows: list[tuple[Cell, ...]] = []
    for claim in ctx.model.claims:
        named = [t for t in ctx.threat_scenarios if t.treatment and claim.id in t.treatment.claims]
        decisions = {o.value: None for t in named if t.treatment for o in t.treatment.options}
        rows.append((claim.id, claim.text, tuple(t.id for t in named), tuple(decisions)))
    table = Table("claims", "Cybersecurity claims", columns, tuple(rows))
    intro = "Claims behind the risks that are shared or retained (RQ-09-06)."
    return ctx.section("WP-09-04", "Cybersecurity claims", intro, [table])


def _controls_table(ctx: Context) -> Table:
    used: dict[str, list[str]] = {}
    for threat in ctx.threat_scenarios:
        for path in threat.attack_paths:
            for step in iter_steps(path.tree):
                for control in step.controls:
                    used.setdefault(control, []).append(path.id)
    columns = (
        Column("id", "ID", "id"),
        Column("name", "Control"),
        Column("description", "Description"),
        Column("mitigations", "R155 Annex 5 mitigations", "ids"),
        Column("requirements", "Requirements", "ids"),
        Column("paths", "Attack paths", "ids"),
    )
    rows = tuple(
        (
            c.id,
            c.name,
            c.description,
            c.mitigations,
            tuple(r.id for r in ctx.model.requirements if c.id in r.controls),
            tuple(dict.fromkeys(used.get(c.id, []))),
        )
        for c in ctx.model.controls
    )
    return Table("controls", "Cybersecurity controls", columns, rows)


def _requirements_table(ctx: Context) -> Table:
    columns = (
        Column("id", "ID", "id"),
        Column("text", "Cybersecurity requirement"),
        Column("goals", "Goals", "ids"),
        Column("controls", "Controls", "ids"),
        Column("components", "Allocated to", "ids"),
    )
    rows = tuple((r.id, r.text, r.goals, r.controls, r.components) for r in ctx.model.requirements)
    return Table("requirements", "Cybersecurity requirements", columns, rows)


def concept(ctx: Context) -> Section:
    intro = (
        "Requirements allocated to components; controls with the UN R155 Annex 5 mitigations they realise."
    )
    return ctx.section(
        "WP-09-06", "Cybersecurity concept", intro, [_requirements_table(ctx), _controls_table(ctx)]
    )


def _trace_rows(ctx: Context) -> list[tuple[Cell, ...]]:
    requirements = {r.id: r for r in ctx.model.requirements}
    rows: list[tuple[Cell, ...]] = []
    for threat in ctx.threat_scenarios:
        r, d = ctx.result.threats[threat.id], threat.treatment
        options = tuple(o.value for o in d.options) if d else ()
        goal_ids: list[str | None] = list(d.goals) if d and d.goals else [None]
        for goal_id in goal_ids:
            result = ctx.result.goals.get(goal_id) if goal_id else None
            req_ids: list[str | None] = (
                list(result.requirements) if result and result.requirements else [None]
            )
            for req_id in req_ids:
                components = requirements[req_id].components if req_id else ()
                rows.append(
                    (
                        threat.damage_scenarios,
                        threat.id,
                        r.risk,
                        options,
                        d.claims if d else (),
                        goal_id,
                        result.cal if result else None,
                        req_id,
                        components,
                        r.residual_risk,
                    )
                )
    return rows


def traceability(ctx: Context) -> Section:
    columns = (
        Column("damage", "Damage scenarios", "ids"),
        Column("threat", "Threat scenario", "id"),
        Column("risk", "Risk", "risk"),
        Column("decision", "Decision"),
        Column("claims", "Claims", "ids"),
        Column("goal", "Goal", "id"),
        Column("cal", "CAL", "number"),
        Column("requirement", "Requirement", "id"),
        Column("components", "Components", "ids"),
        Column("residual_risk", "Residual risk", "risk"),
    )
    note = "Damage scenario <- threat scenario -> goal -> requirement -> component; one row per chain."
    table = Table("traceability", "Traceability", columns, tuple(_trace_rows(ctx)), note=note)
    intro = "From each damage scenario through its threat scenarios, decisions and goals to the components."
    return Section(
        "traceability", "Traceability", "Traceability", "9.4, 9.5, 15.9", intro, (table,), False, ISO
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def findings(ctx: Context) -> Section:
    columns = (
        Column("severity", "Severity", "severity"),
        Column("rule", "Rule", "id"),
        Column("element", "Element", "id"),
        Column("where", "Line"),
        Column("message", "Message"),
        Column("cites", "Cites"),
    )
    ordered = sorted(ctx.result.findings, key=lambda f: f.severity is not Severity.ERROR)
    rows: list[tuple[Cell, ...]] = []
    for f in ordered:
        line = ctx.model.locations.get(f.element)
        rows.append((f.severity.value, f.rule, f.element, str(line[0]) if line else "", f.message, f.cites))
    note = "Rules of the method that the model breaks (error) or should look at (warning)."
    table = Table("findings", "Findings", columns, tuple(rows), note=note)
    errors, warnings = len(ctx.result.errors), len(ctx.result.warnings)
    intro = f"{_count(errors, 'error')} and {_count(warnings, 'warning')} from the method's rules."
    return Section("findings", "Findings", "Findings", "9.4, 9.5, 15.3-15.9", intro, (table,), False, ISO)
