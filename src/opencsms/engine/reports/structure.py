"""The format-neutral shape of a TARA report: sections of tables, facts and heat maps.

`content.build_report` fills it from a `TaraResult`; every renderer (HTML, XLSX, Markdown, JSON) only
lays it out, so the four formats always say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from opencsms.engine.reports.architecture import Architecture

Cell = str | int | float | bool | None | tuple[str, ...]
ColumnKind = Literal[
    "text", "lines", "id", "ids", "risk", "number", "tree", "gate", "bool", "check", "severity", "status"
]


@dataclass(frozen=True, slots=True)
class Column:
    """A table column; `kind` tells a renderer how to show it (a risk value as a coloured badge, ...)."""

    key: str
    title: str
    kind: ColumnKind = "text"


@dataclass(frozen=True, slots=True)
class Table:
    """Rows of cells under `columns`; `depths` indents the `tree` column of each row (attack trees)."""

    key: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    depths: tuple[int, ...] = ()
    note: str = ""
    kind: Literal["table"] = "table"

    def column(self, key: str) -> int:
        return next(i for i, c in enumerate(self.columns) if c.key == key)


@dataclass(frozen=True, slots=True)
class Fact:
    label: str
    value: Cell
    kind: ColumnKind = "text"


@dataclass(frozen=True, slots=True)
class Facts:
    """Label/value pairs; `cards` asks for a row of headline figures rather than a list."""

    key: str
    title: str
    facts: tuple[Fact, ...]
    cards: bool = False
    kind: Literal["facts"] = "facts"


@dataclass(frozen=True, slots=True)
class Level:
    id: str
    label: str


@dataclass(frozen=True, slots=True)
class HeatCell:
    """One cell of the risk matrix: its risk value and how many threat scenarios sit in it."""

    impact: str
    feasibility: str
    risk: int
    count: int


@dataclass(frozen=True, slots=True)
class HeatMap:
    """Impact (rows, highest first) x attack feasibility (columns, lowest first), 15.8."""

    key: str
    title: str
    impacts: tuple[Level, ...]
    feasibilities: tuple[Level, ...]
    cells: tuple[tuple[HeatCell, ...], ...]
    kind: Literal["heatmap"] = "heatmap"

    @property
    def total(self) -> int:
        return sum(cell.count for row in self.cells for cell in row)


@dataclass(frozen=True, slots=True)
class Figure:
    """A picture of the architecture (HTML only), optionally with one attack path highlighted.

    `path` holds the hops of the path as (source, target) attack-graph node keys, from the attacker on;
    `steps` says what the attacker does in each hop after the first, numbered like the picture.
    """

    key: str
    title: str
    architecture: Architecture
    path: tuple[tuple[str, str], ...] = ()
    note: str = ""
    steps: tuple[str, ...] = ()
    lead: str = ""  # the figure's main message, e.g. the path's attack potential
    kind: Literal["figure"] = "figure"


Block = Table | Facts | HeatMap | Figure


@dataclass(frozen=True, slots=True)
class Section:
    """One part of the report; a work product (`WP-15-07`) or a support section (`method`, `findings`)."""

    id: str
    title: str
    short_title: str
    clause: str
    intro: str
    blocks: tuple[Block, ...]
    work_product: bool = True
    standard: str = "ISO/SAE 21434:2021"  # what `clause` refers to

    @property
    def anchor(self) -> str:
        return self.id.lower()

    def table(self, key: str) -> Table:
        return next(b for b in self.blocks if isinstance(b, Table) and b.key == key)

    @property
    def figures(self) -> tuple[Figure, ...]:
        return tuple(b for b in self.blocks if isinstance(b, Figure))

    @property
    def data_blocks(self) -> tuple[Table | Facts | HeatMap, ...]:
        """The blocks without the pictures, which only HTML shows (the tables beside them say the same)."""
        return tuple(b for b in self.blocks if not isinstance(b, Figure))


@dataclass(frozen=True, slots=True)
class Report:
    title: str
    model_id: str
    model_version: str
    item: str
    method: str
    profile_urn: str
    profile_version: str
    generated: str | None
    sections: tuple[Section, ...]

    def section(self, section_id: str) -> Section:
        return next(s for s in self.sections if s.id == section_id)


def display(value: Cell) -> str:
    """A cell as plain text, the same in every format."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple):
        return ", ".join(value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
