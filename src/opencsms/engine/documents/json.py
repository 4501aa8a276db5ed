"""A document as JSON: its sections and blocks as data, sorted keys, indent 2; `format` names the shape
(the producer's, e.g. `opencsms-tara-report/1`) and the document's `meta` is merged in at the top.

Pictures are HTML and PDF only; the tables beside them carry their content.
"""

from __future__ import annotations

import json

from opencsms.engine.documents.model import Cell, Document, Facts, HeatMap, Section, Table


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
    rows, columns = heat.rows, heat.columns
    return {
        "kind": heat.kind,
        "key": heat.key,
        "title": heat.title,
        rows.plural: [{"id": lv.id, "label": lv.label} for lv in rows.levels],
        columns.plural: [{"id": lv.id, "label": lv.label} for lv in columns.levels],
        "cells": [
            {rows.key: c.row, columns.key: c.column, heat.value: c.value, "count": c.count}
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


def to_data(document: Document) -> dict[str, object]:
    control = {"document_control": document.control.as_data()} if document.control else {}
    return {
        "format": document.format,
        "title": document.title,
        "generated": document.generated,
        **control,
        "sections": [_section(s) for s in document.sections],
        **document.meta,
    }


def render_json(document: Document) -> bytes:
    return (json.dumps(to_data(document), sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()
