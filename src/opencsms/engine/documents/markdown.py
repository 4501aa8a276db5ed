"""A document as GitHub-flavoured Markdown: one `##` section per section, tables with escaped cells.

Pictures are HTML and PDF only; the tables beside them carry their content.
"""

from __future__ import annotations

import re

from opencsms.engine.documents.model import Cell, Document, Facts, HeatMap, Section, Table, display
from opencsms.engine.documents.theme import PLAIN, Theme

_INDENT = "\u2003"  # an em space survives table-cell trimming


def escape(text: str) -> str:
    """Make text safe in a table cell: no column breaks, no raw HTML, no line breaks."""
    text = text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"\s*\n\s*", "<br>", text.strip())


def slug(title: str) -> str:
    """The anchor GitHub gives a heading."""
    return re.sub(r"[^a-z0-9 _-]", "", title.lower()).replace(" ", "-")


def heading(section: Section) -> str:
    return f"{section.id} {section.title}" if section.work_product else section.title


def cell(value: Cell, kind: str, depth: int = 0) -> str:
    if kind == "lines" and isinstance(value, tuple):
        return "<br>".join(escape(line) for line in value)
    text = escape(display(value))
    if kind == "tree":
        return f"**{text}**" if depth == 0 else f"{_INDENT * (depth - 1)}└ {text}"
    return text


def _table(table: Table, section: Section) -> list[str]:
    lines = [] if table.title == section.title else [f"### {escape(table.title)}", ""]
    if table.note:
        lines += [f"_{escape(table.note)}_", ""]
    if not table.rows:
        return [*lines, "_None._", ""]
    lines.append("| " + " | ".join(escape(c.title) for c in table.columns) + " |")
    lines.append("|" + "|".join("---" for _ in table.columns) + "|")
    for i, row in enumerate(table.rows):
        depth = table.depths[i] if table.depths else 0
        cells = (cell(v, c.kind, depth) for c, v in zip(table.columns, row, strict=True))
        lines.append("| " + " | ".join(cells) + " |")
    return [*lines, ""]


def _facts(facts: Facts) -> list[str]:
    lines = [f"- **{escape(f.label)}:** {cell(f.value, f.kind) or '-'}" for f in facts.facts]
    return [f"### {facts.title}", "", *lines, ""]


def _heat_map(heat: HeatMap) -> list[str]:
    header = [heat.corner, *(escape(lv.label) for lv in heat.columns.levels)]
    lines = [
        f"### {heat.title}",
        "",
        f"_{heat.total} {heat.total_label}; each cell: count ({heat.value_label})._",
        "",
    ]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "|".join("---" for _ in header) + "|")
    for level, row in zip(heat.rows.levels, heat.cells, strict=True):
        cells = [f"**{c.count}** ({c.value})" if c.count else f"0 ({c.value})" for c in row]
        lines.append(f"| **{escape(level.label)}** | " + " | ".join(cells) + " |")
    return [*lines, ""]


def _block(block: Table | Facts | HeatMap, section: Section) -> list[str]:
    if isinstance(block, Table):
        return _table(block, section)
    if isinstance(block, Facts):
        return _facts(block)
    return _heat_map(block)


def head(document: Document) -> list[str]:
    """The generic head: the heading, the document's facts on one line, when it was generated."""
    lines = [f"# {escape(document.heading)}", ""]
    if document.facts:
        described = (f"{escape(f.label)}: {cell(f.value, f.kind) or '-'}" for f in document.facts)
        lines += [" · ".join(described), ""]
    if document.generated:
        lines += [f"Generated: {escape(document.generated)}", ""]
    return lines


def _contents(document: Document) -> list[str]:
    lines = ["## Contents", ""]
    lines += [f"- [{escape(heading(s))}](#{slug(heading(s))})" for s in document.sections]
    return [*lines, ""]


def _control(document: Document) -> list[str]:
    """The document control block (which version of what), under the head."""
    if document.control is None:
        return []
    return _facts(Facts("document-control", "Document control", document.control.facts))


def render_markdown(document: Document, theme: Theme = PLAIN) -> bytes:
    lines = [*(theme.head or head)(document), *_control(document), *_contents(document)]
    for section in document.sections:
        reference = f"_{section.standard} {section.clause}._ " if section.clause else ""
        lines += [f"## {escape(heading(section))}", "", f"{reference}{escape(section.intro)}", ""]
        for block in section.data_blocks:
            lines += _block(block, section)
    return ("\n".join(lines).rstrip() + "\n").encode()
