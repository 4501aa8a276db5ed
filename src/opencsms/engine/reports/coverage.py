"""Report section on UN R155 Annex 5 coverage: every Part A threat against the threat scenarios, every
Part B/C mitigation against the controls (UN R155 7.3.3 and 7.3.4), from `tara.coverage.annex5_coverage`.
"""

from __future__ import annotations

from opencsms.engine.catalogue import annex5
from opencsms.engine.documents import Cell, Column, Fact, Facts, Section, Table
from opencsms.engine.reports.context import Context
from opencsms.engine.tara.coverage import Annex5Coverage, annex5_coverage

# engine status -> the words the report uses
STATUS_LABELS = {
    "covered": "covered",
    "pending": "pending review",
    "not_applicable": "not applicable",
    "uncovered": "uncovered",
    "implemented": "implemented",
    "missing": "missing",
}
THREAT_STATUSES = ("covered", "not_applicable", "pending", "uncovered")
DRAFT = "draft, optional"


def label(status: str) -> str:
    return STATUS_LABELS.get(status, status.replace("_", " "))


def _implemented(coverage: Annex5Coverage) -> int:
    return sum(1 for m in coverage.mitigations if m.status == "implemented")


def summary_line(coverage: Annex5Coverage) -> str:
    """One sentence with the counts, the same words as `opencsms tara check`."""
    m_na = sum(1 for m in coverage.mitigations if m.status == "not_applicable")
    return (
        f"{coverage.count('covered')} of {coverage.required} required threats covered, "
        f"{coverage.count('not_applicable')} not applicable, {coverage.count('pending')} pending review, "
        f"{coverage.count('uncovered')} uncovered; {_implemented(coverage)} of {len(coverage.mitigations)} "
        f"mitigations realised by controls, {m_na} not applicable, "
        f"{len(coverage.missing_mitigations)} missing."
    )


def _cards(coverage: Annex5Coverage) -> Facts:
    facts = (
        Fact("Required threats", coverage.required, "number"),
        *(Fact(label(s).capitalize(), coverage.count(s), "number") for s in THREAT_STATUSES),
        Fact("Mitigations realised", f"{_implemented(coverage)} of {len(coverage.mitigations)}"),
    )
    return Facts("annex5-counts", "Coverage", facts, cards=True, accent="status")


def _categories(coverage: Annex5Coverage) -> Table:
    columns = (
        Column("category", "Category", "id"),
        Column("title", "Threats"),
        Column("required", "Required", "number"),
        *(Column(s, label(s).capitalize(), "number") for s in THREAT_STATUSES),
    )
    rows: list[tuple[Cell, ...]] = []
    for category in annex5().categories:
        threats = [t for t in coverage.threats if t.category == category.id and t.required]
        counts = tuple(sum(1 for t in threats if t.status == s) for s in THREAT_STATUSES)
        rows.append((category.id, category.title, len(threats), *counts))
    return Table(
        "annex5-categories", "Coverage per category (R155 Annex 5 paragraph 4.3)", columns, tuple(rows)
    )


def _threats(ctx: Context, coverage: Annex5Coverage) -> Table:
    columns = (
        Column("id", "R155 Annex 5", "id"),
        Column("category", "Category", "id"),
        Column("summary", "Threat"),
        Column("required", "Required"),
        Column("status", "Status", "status"),
        Column("threats", "Threat scenarios", "ids"),
        Column("mitigations", "Mitigations", "ids"),
        Column("rationale", "Rationale"),
    )
    rows: list[tuple[Cell, ...]] = []
    for t in coverage.threats:
        entry = ctx.annex5_threat(t.id)
        mitigations = tuple(entry.mitigations) if entry is not None else ()
        required = "yes" if t.required else DRAFT
        rows.append(
            (t.id, t.category, t.summary, required, label(t.status), t.threats, mitigations, t.rationale)
        )
    note = (
        "Covered: an accepted threat scenario names the threat; pending review: only proposed ones do; "
        "not applicable: the TARA says why. Draft-only entries are listed but not required."
    )
    return Table("annex5-threats", "Part A threats", columns, tuple(rows), note=note)


def _mitigations(coverage: Annex5Coverage) -> Table:
    columns = (
        Column("id", "Mitigation", "id"),
        Column("part", "Part"),
        Column("summary", "Mitigation"),
        Column("threats", "For threats", "ids"),
        Column("status", "Status", "status"),
        Column("controls", "Realised by controls", "ids"),
        Column("rationale", "Rationale"),
    )
    catalogue = {m.id: m for m in annex5().mitigations}
    rows = tuple(
        (
            m.id,
            catalogue[m.id].part.replace(",", ", ") if m.id in catalogue else "",
            m.summary,
            tuple(catalogue[m.id].threats) if m.id in catalogue else (),
            label(m.status),
            m.controls,
            m.rationale,
        )
        for m in coverage.mitigations
    )
    note = "Implemented: a control of the cybersecurity concept (WP-09-06) realises the mitigation."
    return Table("annex5-mitigations", "Part B and C mitigations", columns, rows, note=note)


def annex5_section(ctx: Context) -> Section:
    coverage = annex5_coverage(ctx.model)
    intro = (
        "UN R155 7.3.3 asks that every threat of Annex 5 Part A be considered, 7.3.4 that the relevant "
        f"mitigations of Parts B and C (or equivalent ones) be implemented. {summary_line(coverage)}"
    )
    blocks = (_cards(coverage), _categories(coverage), _threats(ctx, coverage), _mitigations(coverage))
    return Section(
        "annex5", "UN R155 Annex 5 coverage", "R155 Annex 5", "7.3.3, 7.3.4", intro, blocks, False, "UN R155"
    )
