"""The blocks of the PDF that are grids: data tables (wrapped cells, header repeated on every page, zebra
rows, badges in their colours, trees indented), facts (a list, or cards of headline figures), heat maps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from fpdf import FPDF

from opencsms.engine.documents.model import Badge, Cell, Facts, HeatMap, Table, display
from opencsms.engine.documents.palette import HEADER, MUTED, ZEBRA, tint
from opencsms.engine.documents.pdf_grid import Grid, GridCell, Measure, Style, widths
from opencsms.engine.documents.pdf_text import latin1

INK = "1C2430"
INDENT = "\u00a0" * 3  # one level of a tree
CENTRED = ("number", "bool", "check")
TABLE = Style()
FACTS = Style(size=8.5, rule=None)
HEAT = Style(size=8, grid=True, rule="FFFFFF")
CARD_FILL = "F3F6FA"


def text(value: Cell, kind: str, depth: int = 0) -> str:
    """A cell's text in the PDF: one line per item of a `lines` cell, a tree's depth as indentation."""
    if kind == "lines" and isinstance(value, tuple):
        shown = "\n".join(value)
    elif kind == "tree" and depth:
        shown = f"{INDENT * (depth - 1)}- {display(value)}"
    else:
        shown = display(value)
    return latin1(shown)


def _head(titles: Sequence[str], size: float | None = None) -> list[GridCell]:
    return [GridCell(latin1(t), bold=True, fill=HEADER[0], ink=HEADER[1], size=size) for t in titles]


class Blocks:
    """Writes the grid blocks of one PDF; `badges` shows a producer's kinds of values."""

    def __init__(self, pdf: FPDF, badges: Mapping[str, Badge]) -> None:
        self.pdf = pdf
        self.badges = badges
        self.measure = Measure(pdf)

    def _cell(self, value: Cell, kind: str, depth: int = 0) -> GridCell:
        """A value as its kind shows it: a badge in its colours, centred numbers, a tree's root in bold."""
        badge = self.badges.get(kind)
        shown = text(value, kind, depth)
        centred = kind in CENTRED or (badge is not None and (badge.numeric or badge.tag))
        align = "C" if centred else "L"
        colours = badge.colour(value) if badge is not None else None
        if colours is not None:
            return GridCell(shown, bold=True, fill=colours[0], ink=colours[1], align=align)
        return GridCell(shown, bold=kind == "tree" and depth == 0, align=align)

    def _grid(self, style: Style, rows: Sequence[Sequence[GridCell]]) -> Grid:
        room = self.pdf.epw
        return Grid(self.pdf, self.measure, style, widths(self.measure, rows, room, style.size))

    def table(self, table: Table) -> None:
        depths = table.depths or (0,) * len(table.rows)
        body = [
            [self._cell(v, c.kind, d) for c, v in zip(table.columns, row, strict=True)]
            for row, d in zip(table.rows, depths, strict=True)
        ]
        head = _head([c.title for c in table.columns])
        grid = self._grid(TABLE, [head, *body])
        grid.head(head)
        for index, row in enumerate(body):
            grid.row(row, ZEBRA if index % 2 else None)

    def _title(self, title: str) -> None:
        self.pdf.set_font("helvetica", style="B", size=10.5)
        self.pdf.set_text_color(f"#{INK}")
        self.pdf.multi_cell(0, 5.5, latin1(title), new_x="LMARGIN", new_y="NEXT")

    def facts(self, facts: Facts) -> None:
        """A titled list of label and value, or a row of cards (value over label)."""
        self._title(facts.title)
        if facts.cards:
            self._cards(facts)
            return
        rows = [
            [GridCell(latin1(f.label), bold=True, ink=MUTED), self._cell(f.value, f.kind)]
            for f in facts.facts
        ]
        grid = self._grid(FACTS, rows)
        for row in rows:
            grid.row(row)

    def _cards(self, facts: Facts) -> None:
        """Cards side by side, a value over its label; a card takes the colour its label has in `accent`."""
        accent = self.badges.get(facts.accent)
        values, labels = [], []
        for fact in facts.facts:
            cell = self._cell(fact.value, fact.kind)
            marked = accent.colour(fact.label) if accent is not None else None
            ink = cell.ink if cell.fill else (marked[0] if marked else INK)
            values.append(GridCell(cell.text or "-", True, cell.fill or CARD_FILL, ink, "C", 13))
            labels.append(GridCell(latin1(fact.label), fill=CARD_FILL, ink=MUTED, align="C", size=7))
        per_row = max(1, int(self.pdf.epw // 30))
        for start in range(0, len(values), per_row):
            row_values, row_labels = values[start : start + per_row], labels[start : start + per_row]
            grid = self._grid(Style(rule="FFFFFF", grid=True), [row_values, row_labels])
            grid.widths = [max(grid.widths)] * len(row_values)
            grid.row(row_values)
            grid.row(row_labels)
            self.pdf.ln(1.5)

    def heat_map(self, heat: HeatMap) -> None:
        """The counts per cell, each cell coloured by its value (faintly when empty)."""
        self._title(f"{heat.title} ({heat.caption})")
        badge = self.badges.get(heat.badge)
        head = _head([heat.corner, *(lv.label for lv in heat.columns.levels)])
        body = []
        for level, cells in zip(heat.rows.levels, heat.cells, strict=True):
            row = [GridCell(latin1(level.label), bold=True, align="R")]
            for cell in cells:
                colours = badge.colour(cell.value) if badge is not None else None
                fill = (tint(colours[0]) if not cell.count else colours[0]) if colours else None
                ink = (colours[1] if cell.count else "7A8594") if colours else INK
                shown = latin1(f"{cell.count}\n{heat.value} {cell.value}")
                row.append(GridCell(shown, bold=bool(cell.count), fill=fill, ink=ink, align="C"))
            body.append(row)
        grid = self._grid(HEAT, [head, *body])
        grid.widths = [grid.widths[0]] + [max(22.0, *grid.widths[1:])] * len(heat.columns.levels)
        grid.head(head)
        for row in body:
            grid.row(row)
