"""A document as PDF (fpdf2, pure Python): A4 landscape, a head with the document's facts, contents with
page numbers and links, each section from a new page, tables that wrap their cells and break across pages
with their header repeated, heat maps coloured like the HTML, and the figures drawn from their SVG.

Deterministic: fixed creation date (the document's generation time when given) and metadata, so equal
documents are equal bytes. Text is written in the standard fonts (`pdf_text.latin1`).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from io import BytesIO

from fpdf import FPDF
from fpdf.outline import OutlineSection

from opencsms.engine.documents.model import (
    Document,
    Fact,
    Facts,
    Figure,
    HeatMap,
    Section,
    Table,
    display,
)
from opencsms.engine.documents.palette import HEADER, MUTED
from opencsms.engine.documents.pdf_tables import Blocks
from opencsms.engine.documents.pdf_text import latin1

FIXED_TIME = datetime(2000, 1, 1, tzinfo=UTC)
FONT = "helvetica"
MARGIN = 12.0
INK = "1C2430"
LEAD = "8E1C1C"
LINE = 4.6  # mm per line of body text
CAPTION = 30.0  # mm kept for a figure's title, lead and note
KEEP = 30.0  # mm: a block's title, note, header and first rows stay together
TOC_LINES_FIRST, TOC_LINES = 18, 30  # contents lines on the head page, on a page of its own
_SIZE = re.compile(r'viewBox="\s*[-\d.]+[ ,]+[-\d.]+[ ,]+([\d.]+)[ ,]+([\d.]+)\s*"')
_TITLE = re.compile(r"<title>.*?</title>", re.S)


def heading(section: Section) -> str:
    return f"{section.id} {section.title}" if section.work_product else section.title


def _svg(markup: str) -> bytes:
    """A picture's SVG for embedding: standalone (with its namespace), without the tooltips the PDF's SVG
    reader does not know, in the standard fonts' characters."""
    markup = _TITLE.sub("", markup)
    if "xmlns=" not in markup.split(">", 1)[0]:
        markup = markup.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"', 1)
    return latin1(markup).encode()


class _Pdf(FPDF):
    """The pages, with the document's heading and the page number in every footer."""

    def __init__(self, document: Document) -> None:
        super().__init__(orientation="landscape", unit="mm", format="A4")
        self.document = document
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(auto=True, margin=MARGIN + 4)
        stamp = document.dated(FIXED_TIME)
        self.set_creation_date(stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC))  # naive: taken as UTC
        self.set_creator("OpenCSMS")
        self.set_producer("OpenCSMS")
        self.set_title(latin1(document.heading))
        self.set_lang("en")

    def footer(self) -> None:
        self.set_y(-MARGIN)
        self.set_font(FONT, size=7)
        self.set_text_color(f"#{MUTED}")
        self.cell(0, 4, latin1(f"{self.document.heading} \u00b7 {self.document.format}"), align="L")
        self.set_x(self.l_margin)
        self.cell(0, 4, f"Page {self.page_no()} of {{nb}}", align="R")

    def text_line(self, text: str, *, size: float = 9, style: str = "", colour: str = INK) -> None:
        """A paragraph in the full width, wrapped."""
        self.set_font(FONT, style=style, size=size)
        self.set_text_color(f"#{colour}")
        self.multi_cell(0, size * 0.45 + 0.6, latin1(text), new_x="LMARGIN", new_y="NEXT")


class _Writer:
    """Writes a document's head, contents and sections, one block after the other."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.pdf = _Pdf(document)
        self.tables = Blocks(self.pdf, {b.kind: b for b in document.badges})

    def head(self) -> None:
        pdf, doc = self.pdf, self.document
        pdf.add_page()
        if doc.kicker:
            pdf.text_line(" \u00b7 ".join(doc.kicker).upper(), size=8, colour=MUTED)
        pdf.text_line(doc.title, size=22, style="B", colour=HEADER[0])
        if doc.kind:
            pdf.text_line(doc.kind, size=11, colour=MUTED)
        pdf.ln(2)
        facts = list(doc.facts)
        for fact in facts:
            pdf.set_font(FONT, style="B", size=9)
            pdf.set_text_color(f"#{MUTED}")
            pdf.cell(32, LINE, latin1(fact.label))
            pdf.text_line(display(fact.value))
        if doc.generated:
            pdf.set_font(FONT, style="B", size=9)
            pdf.cell(32, LINE, "Generated")
            pdf.text_line(doc.generated)
        if doc.control is not None:
            self._control(doc.control.facts)
        pdf.ln(4)
        extra = max(0, len(doc.sections) - TOC_LINES_FIRST)
        pdf.insert_toc_placeholder(self._contents, pages=1 + -(-extra // TOC_LINES), allow_extra_pages=True)

    def _control(self, facts: tuple[Fact, ...]) -> None:
        """The document control block: which version of what the document is of."""
        pdf = self.pdf
        pdf.ln(2)
        pdf.text_line("Document control", size=11, style="B", colour=HEADER[0])
        for fact in facts:
            pdf.set_font(FONT, style="B", size=9)
            pdf.set_text_color(f"#{MUTED}")
            pdf.cell(42, LINE, latin1(fact.label))
            pdf.text_line(display(fact.value))

    def _contents(self, pdf: FPDF, outline: list[OutlineSection]) -> None:
        pdf.set_x(pdf.l_margin)
        pdf.set_font(FONT, style="B", size=12)
        pdf.set_text_color(f"#{HEADER[0]}")
        pdf.cell(0, 8, "Contents", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, size=9.5)
        pdf.set_text_color(f"#{INK}")
        for entry in outline:
            link = pdf.add_link(page=entry.page_number)
            pdf.cell(pdf.epw - 20, 6, entry.name, link=link)
            pdf.cell(20, 6, str(entry.page_number), align="R", link=link, new_x="LMARGIN", new_y="NEXT")

    def section(self, section: Section) -> None:
        pdf = self.pdf
        if pdf.y > pdf.t_margin + 1:  # not on the fresh page after the contents
            pdf.add_page()
        pdf.start_section(latin1(heading(section)))
        pdf.text_line(heading(section), size=15, style="B", colour=HEADER[0])
        if section.clause:
            pdf.text_line(f"{section.standard} \u00a7{section.clause}", size=8, colour=MUTED)
        pdf.ln(1)
        pdf.text_line(section.intro, colour=MUTED)
        for block in section.blocks:
            pdf.ln(3)
            self._keep(block)
            if isinstance(block, Table):
                self._table(block, section)
            elif isinstance(block, Facts):
                self.tables.facts(block)
            elif isinstance(block, HeatMap):
                self.tables.heat_map(block)
            else:
                self.figure(block)

    def _keep(self, block: Table | Facts | HeatMap | Figure) -> None:
        """A new page unless the block's title fits with the start of the block (a table's first rows, a
        small block whole)."""
        if isinstance(block, Figure):
            return  # a figure keeps its caption with its picture itself
        if isinstance(block, HeatMap):
            needed = 20.0 + 9 * len(block.rows.levels)
        elif isinstance(block, Facts):
            needed = 12 + (20 if block.cards else 5 * min(4, len(block.facts)))
        else:
            needed = KEEP
        if self.pdf.y + needed > self.pdf.page_break_trigger:
            self.pdf.add_page()

    def _table(self, table: Table, section: Section) -> None:
        pdf = self.pdf
        if table.title != section.title:
            pdf.text_line(table.title, size=10.5, style="B")
        if table.note:
            pdf.text_line(table.note, size=8, style="I", colour=MUTED)
        if not table.rows:
            pdf.text_line("None.", size=8.5, style="I", colour=MUTED)
            return
        self.tables.table(table)

    def figure(self, figure: Figure) -> None:
        """The figure's title, lead and note, its picture as large as the page allows (on a new page with
        its caption when the rest of the page is too small), then the steps."""
        pdf = self.pdf
        svg = figure.picture.svg()
        size = _SIZE.search(svg)
        ratio = float(size.group(2)) / float(size.group(1)) if size else 0.6
        width = min(pdf.epw, (pdf.h - 2 * MARGIN - CAPTION) / ratio)
        height = width * ratio
        if pdf.y + CAPTION + height > pdf.page_break_trigger:
            pdf.add_page()
        pdf.text_line(figure.title, size=10.5, style="B")
        if figure.lead:
            pdf.text_line(figure.lead, size=8.5, style="B", colour=LEAD)
        if figure.note:
            pdf.text_line(figure.note, size=8, colour=MUTED)
        x, y = pdf.l_margin + (pdf.epw - width) / 2, pdf.y + 1
        pdf.image(BytesIO(_svg(svg)), x=x, y=y, w=width, h=height)
        pdf.set_y(y + height)
        for step in figure.steps:
            pdf.text_line(step, size=8)


def render_pdf(document: Document) -> bytes:
    writer = _Writer(document)
    writer.head()
    for section in document.sections:
        writer.section(section)
    return bytes(writer.pdf.output())
