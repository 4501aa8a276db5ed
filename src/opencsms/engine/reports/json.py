"""The report as JSON (`opencsms-tara-report/1`): the format-neutral structure, sorted keys, indent 2.

Pictures are HTML only; the tables beside them carry their content.
"""

from __future__ import annotations

import json

from opencsms.engine.reports.structure import Cell, Facts, HeatMap, Report, Section, Table

FORMAT = "opencsms-tara-report/1"


def _value(value: Cell) -> object:
    return list(value) if isinstance(value, tuple) else value


def _table(table: Table) -> dict[str, object]:
    rows: list[dict[str, object]] = []
    for i, row in enumerate(table.rows):
        data = {col.key: _value(cell) for col, cell in zip(table.columns, row, strict=True)}
        if table.depths:
            data["depth"] = table.depths[i]
        rows.append(data)
    return {
        "kind": table.kind,
        "key": table.key,
        "title": table.title,
        "note": table.note,
        "columns": [{"key": c.key, "title": c.title, "kind": c.kind} for c in table.columns],
        "rows": rows,
    }


def _facts(facts: Facts) -> dict[str, object]:
    return {
        "kind": facts.kind,
        "key": facts.key,
        "title": facts.title,
        "cards": facts.cards,
        "facts": [{"label": f.label, "value": _value(f.value), "kind": f.kind} for f in facts.facts],
    }


def _heat_map(heat: HeatMap) -> dict[str, object]:
    return {
        "kind": heat.kind,
        "key": heat.key,
        "title": heat.title,
        "impacts": [{"id": lv.id, "label": lv.label} for lv in heat.impacts],
        "feasibilities": [{"id": lv.id, "label": lv.label} for lv in heat.feasibilities],
        "cells": [
            {"impact": c.impact, "feasibility": c.feasibility, "risk": c.risk, "count": c.count}
            for row in heat.cells
            for c in row
        ],
        "total": heat.total,
    }


def _block(block: Table | Facts | HeatMap) -> dict[str, object]:
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Facts):
        return _facts(block)
    return _heat_map(block)


def _section(section: Section) -> dict[str, object]:
    return {
        "id": section.id,
        "title": section.title,
        "clause": section.clause,
        "standard": section.standard,
        "intro": section.intro,
        "work_product": section.work_product,
        "blocks": [_block(b) for b in section.data_blocks],
    }


def to_data(report: Report) -> dict[str, object]:
    return {
        "format": FORMAT,
        "title": report.title,
        "model": {"id": report.model_id, "version": report.model_version, "item": report.item},
        "method": {"name": report.method, "urn": report.profile_urn, "version": report.profile_version},
        "generated": report.generated,
        "sections": [_section(s) for s in report.sections],
    }


def render_json(report: Report) -> bytes:
    return (json.dumps(to_data(report), sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()
