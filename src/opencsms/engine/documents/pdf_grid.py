"""Rows of wrapped cells on PDF pages: column widths from the content, words wrapped to the width (a word
wider than its column is cut), a row that does not fit the page continued on the next one, and the header
row repeated on every page. Our own layout rather than fpdf2's tables: it is a few times faster, which a
TARA of thousands of threat scenarios needs, and a cell taller than a page does not stop the document.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fpdf import FPDF

FONT = "helvetica"
PAD = 1.2  # mm around a cell's text
LINE_FACTOR = 0.47  # mm of line per point of font size
MAX_COLUMN = 75.0  # mm: a wider column's text is wrapped
MAX_WORD = 32.0  # mm of one long word that a column keeps room for
MIN_COLUMN = 8.0
EPSILON = 0.01  # mm: widths are sums of floats


@dataclass(frozen=True, slots=True)
class GridCell:
    """A cell's text (lines separated by newlines) and how it looks; colours are RGB hex."""

    text: str
    bold: bool = False
    fill: str | None = None
    ink: str = "1C2430"
    align: str = "L"  # L, C or R
    size: float | None = None  # points, when not the grid's


@dataclass(frozen=True, slots=True)
class Style:
    size: float = 7.5  # points
    rule: str | None = "D9E0E8"  # the line under every row
    grid: bool = False  # a frame around every cell

    @property
    def line(self) -> float:
        return self.size * LINE_FACTOR


class Measure:
    """Text widths in mm in the standard font, cached per word (reports repeat the same words a lot)."""

    def __init__(self, pdf: FPDF) -> None:
        self.pdf = pdf
        self._known: dict[tuple[str, bool, float], float] = {}

    def width(self, text: str, bold: bool, size: float) -> float:
        key = (text, bold, size)
        if key not in self._known:
            self.pdf.set_font(FONT, style="B" if bold else "", size=size)
            self._known[key] = float(self.pdf.get_string_width(text))
        return self._known[key]

    def _cut(self, word: str, width: float, bold: bool, size: float) -> list[str]:
        """A word wider than `width`, cut into pieces that fit."""
        pieces, piece = [], ""
        for char in word:
            if piece and self.width(piece + char, bold, size) > width:
                pieces.append(piece)
                piece = ""
            piece += char
        return [*pieces, piece]

    def wrap(self, text: str, width: float, bold: bool, size: float) -> list[str]:
        """`text` in lines no wider than `width`, broken between words; its own line breaks kept."""
        width += EPSILON
        lines: list[str] = []
        space = self.width(" ", bold, size)
        for paragraph in text.split("\n"):
            line, used = "", 0.0
            for word in paragraph.split(" "):
                wide = self.width(word, bold, size)
                if line and used + space + wide <= width:
                    line, used = f"{line} {word}", used + space + wide
                    continue
                if line:
                    lines.append(line)
                pieces = self._cut(word, width, bold, size) if wide > width else [word]
                lines += pieces[:-1]
                line, used = pieces[-1], self.width(pieces[-1], bold, size)
            lines.append(line)
        return lines


def widths(measure: Measure, rows: Sequence[Sequence[GridCell]], room: float, size: float) -> list[float]:
    """Column widths: as wide as the content up to `MAX_COLUMN`; when they do not fit `room`, each keeps
    room for its longest word and the rest is shared by how much more each would like."""
    columns = len(rows[0])
    natural, least = [MIN_COLUMN] * columns, [MIN_COLUMN] * columns
    for row in rows:
        for i, cell in enumerate(row):
            at = cell.size or size
            lines = cell.text.split("\n")
            wide = max(measure.width(line, cell.bold, at) for line in lines) + 2 * PAD
            word = max(measure.width(w, cell.bold, at) for line in lines for w in line.split(" ")) + 2 * PAD
            natural[i] = max(natural[i], min(MAX_COLUMN, wide))
            least[i] = max(least[i], min(MAX_WORD, word, natural[i]))
    if sum(natural) <= room:
        return natural
    spare = room - sum(least)
    if spare <= 0:
        return [w * room / sum(least) for w in least]
    wanted = [n - m for n, m in zip(natural, least, strict=True)]
    return [m + spare * w / sum(wanted) for m, w in zip(least, wanted, strict=True)]


class Grid:
    """Draws a header row and body rows at the current position, breaking pages as needed."""

    def __init__(self, pdf: FPDF, measure: Measure, style: Style, column_widths: Sequence[float]) -> None:
        self.pdf, self.measure, self.style = pdf, measure, style
        self.widths = list(column_widths)
        self.header: list[GridCell] | None = None

    def _lines(self, row: Sequence[GridCell]) -> list[list[str]]:
        size = self.style.size
        return [
            self.measure.wrap(cell.text, w - 2 * PAD, cell.bold, cell.size or size)
            for cell, w in zip(row, self.widths, strict=True)
        ]

    def _line_height(self, row: Sequence[GridCell]) -> float:
        return max((cell.size or self.style.size) * LINE_FACTOR for cell in row)

    def _draw(self, row: Sequence[GridCell], lines: list[list[str]], height: float, fill: str | None) -> None:
        pdf, x, top = self.pdf, self.pdf.l_margin, self.pdf.y
        for cell, w, text in zip(row, self.widths, lines, strict=True):
            colour = cell.fill or fill
            if colour is not None:
                pdf.set_fill_color(f"#{colour}")
                pdf.rect(x, top, w, height, style="F")
            if self.style.grid:
                pdf.set_draw_color(f"#{self.style.rule or 'D9E0E8'}")
                pdf.rect(x, top, w, height)
            size = cell.size or self.style.size
            pdf.set_font(FONT, style="B" if cell.bold else "", size=size)
            pdf.set_text_color(f"#{cell.ink}")
            line = size * LINE_FACTOR
            for i, text_line in enumerate(text):
                left = x + PAD
                if cell.align != "L":
                    spare = w - 2 * PAD - self.measure.width(text_line, cell.bold, size)
                    left += spare if cell.align == "R" else spare / 2
                pdf.text(left, top + PAD + line * i + size * 0.3, text_line)
            x += w
        if self.style.rule is not None and not self.style.grid:
            pdf.set_draw_color(f"#{self.style.rule}")
            pdf.line(pdf.l_margin, top + height, x, top + height)
        pdf.set_y(top + height)

    def _fits(self, height: float) -> bool:
        return self.pdf.y + height <= self.pdf.page_break_trigger

    def head(self, row: Sequence[GridCell]) -> None:
        """The header row, drawn now and again at the top of every page the grid continues on."""
        self.header = list(row)
        lines = self._lines(row)
        height = max(len(t) for t in lines) * self._line_height(row) + 2 * PAD
        if not self._fits(height + 2 * self._line_height(row) + 2 * PAD):
            self.pdf.add_page()
        self._draw(row, lines, height, None)

    def _new_page(self) -> None:
        self.pdf.add_page()
        if self.header is not None:
            self._draw(self.header, self._lines(self.header), self._header_height(), None)

    def _header_height(self) -> float:
        assert self.header is not None
        return max(len(t) for t in self._lines(self.header)) * self._line_height(self.header) + 2 * PAD

    def row(self, row: Sequence[GridCell], fill: str | None = None) -> None:
        """One row; a row taller than the rest of the page goes on, line by line, on the next pages."""
        lines = self._lines(row)
        line = self._line_height(row)
        rest = max(len(t) for t in lines)
        if not self._fits(rest * line + 2 * PAD):
            fitting = int((self.pdf.page_break_trigger - self.pdf.y - 2 * PAD) // line)
            if fitting < min(rest, 3):
                self._new_page()
        start = 0
        while start < rest:
            fitting = max(1, int((self.pdf.page_break_trigger - self.pdf.y - 2 * PAD) // line))
            chunk = [t[start : start + fitting] for t in lines]
            count = max(len(t) for t in chunk)
            self._draw(row, chunk, count * line + 2 * PAD, fill)
            start += count
            if start < rest:
                self._new_page()
