"""The ONE format-neutral report of an evaluated TARA: `build_report` makes it a document
(`engine.documents`), which every format lays out.

Sections, in order: method and provenance, summary, then the work products of ISO/SAE 21434:2021 clause 15
and 9 (WP-09-01, WP-15-01..08, WP-09-03, WP-09-04, WP-09-06), traceability and findings.
"""

from __future__ import annotations

from collections.abc import Callable

from opencsms.engine.catalogue import annex5, vocabulary, work_products
from opencsms.engine.documents import Cell, Column, Document, DocumentControl, Fact, Facts, Section, Table
from opencsms.engine.method.schema import Cited
from opencsms.engine.reports import analysis, attacks, concept, coverage, item, risks
from opencsms.engine.reports.context import CAL_METHODS, ISO, METHOD_LABELS, Context
from opencsms.engine.reports.palette import BADGES
from opencsms.engine.tara.model import CalMethod, FeasibilityMethod, Treatment
from opencsms.engine.tara.result import TaraResult

FORMAT = "opencsms-tara-report/1"  # the JSON report's shape
KICKER = ("Threat analysis and risk assessment", "ISO/SAE 21434", "UN R155")
_TABLE_COLUMNS = (
    Column("table", "Table"),
    Column("urn", "URN", "id"),
    Column("version", "Version"),
    Column("cites", "Cites"),
    Column("confidence", "Confidence"),
    Column("used", "Used", "bool"),
)


def _methods_used(ctx: Context) -> set[FeasibilityMethod]:
    used = {p.method for t in ctx.result.threats.values() for p in t.paths}
    return used or {ctx.model.method.feasibility}


def _rating_tables(ctx: Context) -> Table:
    src, used = ctx.profile.source, _methods_used(ctx)
    cal = ctx.model.method.cal
    entries: list[tuple[str, Cited | None, bool]] = [
        ("Impact rating", src.impact, True),
        ("Attack potential", src.feasibility.attack_potential, FeasibilityMethod.ATTACK_POTENTIAL in used),
        ("CVSS exploitability", src.feasibility.cvss, FeasibilityMethod.CVSS in used),
        ("Attack vector", src.feasibility.attack_vector, FeasibilityMethod.ATTACK_VECTOR in used),
        ("Risk matrix", src.risk, True),
        ("CAL (Annex E)", src.cal.annex_e, cal is CalMethod.ANNEX_E),
        ("CAL (risk-based)", src.cal.risk_based, cal is CalMethod.RISK_BASED),
    ]
    rows = tuple(
        (name, table.urn, table.version, table.cites, table.confidence, in_use)
        for name, table, in_use in entries
        if table is not None
    )
    return Table("rating-tables", "Rating tables", _TABLE_COLUMNS, rows)


def _catalogues() -> Table:
    columns = tuple(c for c in _TABLE_COLUMNS if c.key != "used")
    rows = tuple(
        (c.name, c.urn, c.version, c.cites, c.confidence) for c in (work_products(), annex5(), vocabulary())
    )
    return Table("catalogues", "Catalogues", columns, rows)


def _scales(ctx: Context) -> Table:
    columns = (
        Column("scale", "Scale"),
        Column("level", "Level", "id"),
        Column("label", "Label"),
        Column("iso", "ISO/SAE 21434 level / risk value"),
    )
    p = ctx.profile
    rows: list[tuple[Cell, ...]] = [
        ("Impact", i, p.impact.labels[i], p.impact.maps_to[i]) for i in p.impact.ids
    ]
    rows += [
        ("Attack feasibility", f, p.feasibility.labels[f], p.feasibility.maps_to[f])
        for f in p.feasibility.ids
    ]
    rows += [("Risk", level.id, level.id, str(level.value)) for level in p.source.risk.levels]
    return Table("scales", "Rating scales", columns, tuple(rows))


def method_section(ctx: Context) -> Section:
    src, m = ctx.profile.source, ctx.model.method
    facts = Facts(
        "method",
        "Method",
        (
            Fact("Method profile", src.name),
            Fact("Profile URN", src.urn, "id"),
            Fact("Profile version", src.version),
            Fact("Cites", src.cites),
            Fact("Rating approach", METHOD_LABELS[m.feasibility]),
            Fact("Approaches used", tuple(sorted(METHOD_LABELS[x] for x in _methods_used(ctx)))),
            Fact("Impact aggregation", src.impact.aggregation.replace("_", " ")),
            Fact("Acceptance level", m.acceptance, "risk"),
            Fact("CAL method", CAL_METHODS[m.cal]),
        ),
    )
    intro = "The method profile and the versioned, cited tables that every rating below comes from (15.1)."
    blocks = (facts, _rating_tables(ctx), _catalogues(), _scales(ctx))
    return Section("method", "Method and provenance", "Method", "15.1", intro, blocks, False, ISO)


def _counts(ctx: Context) -> Facts:
    model, result = ctx.model, ctx.result
    risks_now = [t.risk for t in result.threats.values() if t.risk is not None]
    risks_after = [t.residual_risk for t in result.threats.values() if t.residual_risk is not None]
    facts = (
        Fact("Threat scenarios", len(ctx.threat_scenarios), "number"),
        Fact("Attack paths", sum(len(t.attack_paths) for t in ctx.threat_scenarios), "number"),
        Fact("Damage scenarios", len(model.damage_scenarios), "number"),
        Fact("Assets", len(model.assets), "number"),
        Fact("Cybersecurity goals", len(model.goals), "number"),
        Fact("Requirements", len(model.requirements), "number"),
        Fact("Highest risk", max(risks_now, default=None), "risk"),
        Fact("Highest residual risk", max(risks_after, default=None), "risk"),
        Fact("Errors", len(result.errors), "number"),
        Fact("Warnings", len(result.warnings), "number"),
    )
    return Facts("counts", "Figures", facts, cards=True, accent="status")


def _distribution(ctx: Context) -> Table:
    columns = (
        Column("risk", "Risk value", "risk"),
        Column("initial", "Initial", "number"),
        Column("residual", "Residual", "number"),
    )
    before, after = ctx.result.risk_counts(), ctx.result.risk_counts(residual=True)
    rows = tuple((value, before[value], after[value]) for value in sorted(before, reverse=True))
    unrated = len(ctx.result.threats) - sum(before.values())
    note = f"Threat scenarios per risk value, before and after treatment ({unrated} not rated)."
    return Table("risk-distribution", "Risk distribution", columns, rows, note=note)


def _decisions(ctx: Context) -> Table:
    columns = (Column("decision", "Decision"), Column("threats", "Threat scenarios", "number"))
    decided = [t.treatment.options for t in ctx.threat_scenarios if t.treatment]
    rows: list[tuple[Cell, ...]] = [(o.value, sum(o in opts for opts in decided)) for o in Treatment]
    rows.append(("no decision", len(ctx.threat_scenarios) - len(decided)))
    return Table("decisions", "Treatment decisions", columns, tuple(rows))


def summary_section(ctx: Context) -> Section:
    intro = f"{ctx.model.name}: the TARA at a glance."
    blocks = (_counts(ctx), _distribution(ctx), _decisions(ctx))
    return Section("summary", "Summary", "Summary", "15.8, 15.9", intro, blocks, False, ISO)


SECTIONS: tuple[Callable[[Context], Section], ...] = (
    method_section,
    summary_section,
    item.item_definition,
    analysis.damage_scenarios,
    analysis.assets,
    analysis.threat_scenarios,
    analysis.impact_ratings,
    attacks.attack_paths,
    attacks.feasibility_ratings,
    risks.risk_values,
    risks.treatment_decisions,
    concept.goals,
    concept.claims,
    concept.concept,
    coverage.annex5_section,
    concept.traceability,
    concept.findings,
)


def _findings(result: TaraResult) -> str:
    counts = ((len(result.errors), "error"), (len(result.warnings), "warning"))
    return ", ".join(f"{n} {noun}{'' if n == 1 else 's'}" for n, noun in counts if n) or "none"


def _about(result: TaraResult) -> tuple[Fact, ...]:
    """The model and method the report is of, for the head of the document."""
    model, source = result.model, result.profile.source
    version = (Fact("Version", model.version),) if model.version else ()
    return (
        Fact("Model", model.id, "id"),
        *version,
        Fact("Item", model.item.name),
        Fact("Method", f"{source.name} ({result.profile.urn} {source.version})"),
        Fact("Findings", _findings(result)),
    )


def build_report(
    result: TaraResult, generated: str | None = None, control: DocumentControl | None = None
) -> Document:
    """The report of `result`; `generated` (e.g. an ISO date) is printed only when given, and `control`
    (which version of which TARA: revision, review state, approver, content hash) at the head."""
    ctx = Context(result)
    model, profile = result.model, result.profile
    return Document(
        title=model.name,
        kind="TARA report",
        kicker=KICKER,
        facts=_about(result),
        meta={
            "model": {"id": model.id, "version": model.version, "item": model.item.name},
            "method": {"name": profile.source.name, "urn": profile.urn, "version": profile.source.version},
        },
        format=FORMAT,
        generated=generated,
        sections=tuple(build(ctx) for build in SECTIONS),
        badges=BADGES,
        control=control,
    )
