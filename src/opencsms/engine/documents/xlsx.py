"""A document as an Excel workbook (openpyxl): one sheet per section, the first headed by the document.
Deterministic: fixed document properties and zip timestamps, same input same bytes."""

from __future__ import annotations

import re
from datetime import datetime
from io import BytesIO
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from openpyxl import Workbook
from openpyxl.cell.cell import Cell as XlCell
from openpyxl.cell.cell import MergedCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from opencsms.engine.documents.model import (
    Badge,
    Cell,
    Column,
    Document,
    Facts,
    HeatMap,
    Section,
    Table,
    display,
)
from opencsms.engine.documents.palette import HEADER, ZEBRA, tint
from opencsms.engine.documents.palette import MUTED as MUTED_INK
from opencsms.engine.documents.theme import PLAIN, Theme

FIXED_TIME = datetime(2000, 1, 1)  # noqa: DTZ001 - openpyxl stores naive UTC
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
MAX_SHEET_NAME = 31
MIN_WIDTH, MAX_WIDTH = 8, 60
LINE_HEIGHT = 15  # points per line of 11-point text
_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14, color=HEADER[0])
MUTED = Font(italic=True, color=MUTED_INK)
HEADER_FONT = Font(bold=True, color=HEADER[1])
HEADER_FILL = PatternFill("solid", fgColor=HEADER[0])
ZEBRA_FILL = PatternFill("solid", fgColor=ZEBRA)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
CENTRE_TOP = Alignment(horizontal="center", vertical="top", wrap_text=True)


def sheet_name(section: Section) -> str:
    name = f"{section.id} {section.short_title}" if section.work_product else section.short_title
    return name[:MAX_SHEET_NAME]


class _Sheet:
    """Writes blocks one under the other and tracks the column widths their cells need."""

    def __init__(self, ws: Worksheet, badges: dict[str, Badge]) -> None:
        self.ws = ws
        self.badges = badges
        self.row = 1
        self.widths: dict[int, int] = {}
        self.texts: dict[int, list[tuple[int, str]]] = {}  # row -> (column, text) of wrapped cells

    def put(self, row: int, col: int, value: Cell, kind: str = "text") -> None:
        cell = self.ws.cell(row=row, column=col)
        if isinstance(value, bool | tuple | str):
            text = "\n".join(value) if kind == "lines" and isinstance(value, tuple) else display(value)
            cell.value = _ILLEGAL.sub("", text)
            cell.data_type = "s"  # never a formula, whatever the text starts with
            longest = max((len(line) for line in text.splitlines()), default=0)
            self.texts.setdefault(row, []).append((col, text))
        else:
            cell.value = value
            longest = len(display(value))
        self.widths[col] = max(self.widths.get(col, 0), longest)
        cell.alignment = WRAP

    def text(self, value: str, font: Font) -> None:
        cell = self.ws.cell(row=self.row, column=1, value=_ILLEGAL.sub("", value))
        cell.data_type = "s"
        cell.font = font
        self.row += 1

    def header(self, titles: list[str]) -> None:
        for col, title in enumerate(titles, start=1):
            self.put(self.row, col, title)
            cell = self.ws.cell(row=self.row, column=col)
            cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, CENTRE
        self.row += 1

    def fit(self) -> None:
        """Column widths for the content; printed landscape, one page wide."""
        self.ws.page_setup.orientation = "landscape"
        self.ws.page_setup.fitToWidth = 1
        self.ws.page_setup.fitToHeight = 0
        self.ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        widths = {col: min(MAX_WIDTH, max(MIN_WIDTH, width + 2)) for col, width in self.widths.items()}
        for col, width in widths.items():
            self.ws.column_dimensions[get_column_letter(col)].width = width
        for row, cells in self.texts.items():
            lines = max(_lines(text, widths.get(col, MIN_WIDTH)) for col, text in cells)
            if lines > 1:  # spreadsheet programs do not all fit wrapped rows on opening
                self.ws.row_dimensions[row].height = LINE_HEIGHT * lines


def _lines(text: str, width: int) -> int:
    """How many lines `text` takes in a wrapped cell `width` characters wide (an estimate)."""
    per_line = max(1, width - 1)
    return sum(max(1, -(-len(line) // per_line)) for line in text.splitlines() or [""])


def _badge(cell: XlCell | MergedCell, style: Badge, value: Cell, *, faint: bool = False) -> None:
    """Fill a cell with its value's colours, faint for an empty heat-map cell; centre numbers and tags."""
    colours = style.colour(value)
    if colours is not None:
        background, text = colours
        cell.fill = PatternFill("solid", fgColor=tint(background) if faint else background)
        cell.font = Font(bold=not faint, color="7A8594" if faint else text)
    if style.numeric or style.tag:
        cell.alignment = CENTRE_TOP


def _row_cells(sheet: _Sheet, table: Table, index: int, row: tuple[Cell, ...]) -> None:
    depth = table.depths[index] if table.depths else 0
    for col, (column, value) in enumerate(zip(table.columns, row, strict=True), start=1):
        sheet.put(sheet.row, col, value, column.kind)
        if index % 2 == 1:
            sheet.ws.cell(row=sheet.row, column=col).fill = ZEBRA_FILL
        _style(sheet, col, column, value, depth=depth)


def _style(sheet: _Sheet, col: int, column: Column, value: Cell, *, depth: int) -> None:
    cell = sheet.ws.cell(row=sheet.row, column=col)
    if (style := sheet.badges.get(column.kind)) is not None:
        _badge(cell, style, value)
    elif column.kind in ("number", "bool", "check"):
        cell.alignment = CENTRE_TOP
    elif column.kind == "tree":
        cell.alignment = Alignment(horizontal="left", indent=depth * 2, vertical="top", wrap_text=True)
        cell.font = Font(bold=depth == 0)
        sheet.widths[col] = max(sheet.widths.get(col, 0), len(display(value)) + depth * 2)


def _table(sheet: _Sheet, table: Table, *, titled: bool, main: bool) -> None:
    if titled:
        sheet.text(table.title, BOLD)
    if table.note:
        sheet.text(table.note, MUTED)
    first = sheet.row
    sheet.header([c.title for c in table.columns])
    for index, row in enumerate(table.rows):
        _row_cells(sheet, table, index, row)
        sheet.row += 1
    if not table.rows:
        sheet.text("None.", MUTED)
    if main:
        sheet.ws.freeze_panes = f"A{first + 1}"
        sheet.ws.print_title_rows = f"{first}:{first}"
        last = get_column_letter(len(table.columns))
        sheet.ws.auto_filter.ref = f"A{first}:{last}{max(first, sheet.row - 1)}"


def _facts(sheet: _Sheet, facts: Facts) -> None:
    sheet.text(facts.title, BOLD)
    for fact in facts.facts:
        sheet.put(sheet.row, 1, fact.label)
        sheet.ws.cell(row=sheet.row, column=1).font = BOLD
        sheet.put(sheet.row, 2, fact.value, fact.kind)
        if (style := sheet.badges.get(fact.kind)) is not None:
            _badge(sheet.ws.cell(row=sheet.row, column=2), style, fact.value)
        sheet.row += 1


def _heat_map(sheet: _Sheet, heat: HeatMap) -> None:
    sheet.text(f"{heat.title} ({heat.caption})", BOLD)
    sheet.header([heat.corner, *(lv.label for lv in heat.columns.levels)])
    style = sheet.badges.get(heat.badge)
    for level, cells in zip(heat.rows.levels, heat.cells, strict=True):
        sheet.put(sheet.row, 1, level.label)
        sheet.ws.cell(row=sheet.row, column=1).font = BOLD
        for col, heat_cell in enumerate(cells, start=2):
            sheet.put(sheet.row, col, heat_cell.count, "number")
            cell = sheet.ws.cell(row=sheet.row, column=col)
            if style is not None:
                _badge(cell, style, heat_cell.value, faint=not heat_cell.count)
            cell.alignment = CENTRE_TOP
        sheet.row += 1


def _section(sheet: _Sheet, section: Section, head: list[str], control: Facts | None = None) -> None:
    """One sheet: a title (`head[0]`, else the section's), lines under it, the document control block
    (the first sheet), then the blocks."""
    title = f"{section.id} {section.title}" if section.work_product else section.title
    sheet.text(head[0] if head else title, TITLE)
    reference = f"{section.standard} {section.clause}. " if section.clause else ""
    for line in [*head[1:], f"{reference}{section.intro}"]:
        sheet.text(line, MUTED)
    if control is not None:
        sheet.row += 1
        _facts(sheet, control)
    shown = section.data_blocks
    for index, block in enumerate(shown):
        sheet.row += 1
        if isinstance(block, Table):
            single = len(shown) == 1 and block.title == section.title
            _table(sheet, block, titled=not single, main=index == 0)
        elif isinstance(block, Facts):
            _facts(sheet, block)
        else:
            _heat_map(sheet, block)
    sheet.fit()


def sheet_head(document: Document) -> list[str]:
    """The generic head of the first sheet: the heading, the document's facts, when it was generated."""
    lines = [document.heading, *(f"{f.label}: {display(f.value)}" for f in document.facts)]
    return [*lines, f"Generated: {document.generated}"] if document.generated else lines


def _stable_zip(raw: bytes) -> bytes:
    """The same archive with fixed timestamps and order, so equal workbooks are equal bytes."""
    out = BytesIO()
    with ZipFile(BytesIO(raw)) as source, ZipFile(out, "w", ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def render_xlsx(document: Document, theme: Theme = PLAIN) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)  # type: ignore[arg-type]
    badges = {b.kind: b for b in document.badges}
    sections = sorted(document.sections, key=lambda s: theme.sheet_ranks.get(s.id, 1))
    control = (
        Facts("document-control", "Document control", document.control.facts) if document.control else None
    )
    for index, section in enumerate(sections):
        head = (theme.sheet_head or sheet_head)(document) if index == 0 else []
        sheet = _Sheet(wb.create_sheet(sheet_name(section)), badges)
        _section(sheet, section, head, control if index == 0 else None)
    props = wb.properties
    props.creator = props.lastModifiedBy = "OpenCSMS"
    props.title = document.heading
    props.created = props.modified = document.dated(FIXED_TIME).replace(tzinfo=None)
    raw = BytesIO()
    archive = ZipFile(raw, "w", ZIP_DEFLATED)
    ExcelWriter(wb, archive).save()  # closes the archive
    return _stable_zip(raw.getvalue())
