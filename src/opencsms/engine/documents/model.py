"""The format-neutral document: sections of tables, facts, matrices and figures.

A producer (the TARA report, a compliance package, a work product) fills it; every renderer (HTML, XLSX,
Markdown, JSON, PDF) only lays it out, so the formats always say the same thing. Nothing here knows what a
document is about: how a value of a producer's own kind looks (a risk value as a coloured badge) is declared
with the document (`Badge`), not built into a renderer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

Cell = str | int | float | bool | None | tuple[str, ...]
"""A value of a table or a fact. The built-in kinds of a column or fact say how to show one:

`text`, `number`, `bool` (yes/no), `check` (yes/no, marked), `id` (linked to the row of the table that
defines it), `ids` (several), `lines` (one line per item), `tree` (indented by the row's depth); any other
kind is the producer's own and is shown as declared by the document's `Badge` of that kind, else as text.
"""


@dataclass(frozen=True, slots=True)
class Column:
    """A table column; `kind` tells a renderer how to show its values (see `Cell`)."""

    key: str
    title: str
    kind: str = "text"


@dataclass(frozen=True, slots=True)
class Table:
    """Rows of cells under `columns`; `depths` indents the `tree` column of each row."""

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
    kind: str = "text"


@dataclass(frozen=True, slots=True)
class Facts:
    """Label/value pairs; `cards` asks for a row of headline figures rather than a list, and `accent`
    names a `Badge` whose colour each card takes from its label (e.g. a card `Covered`)."""

    key: str
    title: str
    facts: tuple[Fact, ...]
    cards: bool = False
    accent: str = ""
    kind: Literal["facts"] = "facts"


@dataclass(frozen=True, slots=True)
class Level:
    id: str
    label: str


@dataclass(frozen=True, slots=True)
class Axis:
    """One axis of a matrix: `key` names a cell's level on it (`impact`), `plural` the list of levels."""

    key: str
    plural: str
    label: str  # short, in a corner cell: `Feasibility`
    title: str  # in full, along the axis: `Attack feasibility`
    levels: tuple[Level, ...]


@dataclass(frozen=True, slots=True)
class HeatCell:
    """One cell: its row and column level ids, the value the matrix gives it, and what it counts."""

    row: str
    column: str
    value: int
    count: int


@dataclass(frozen=True, slots=True)
class HeatMap:
    """Counts in a grid of two scales (a heat map), each cell with a value that colours it.

    `value` names the cells' value (`risk`), `badge` the `Badge` that colours them, `counted` what a count
    counts and `total_label` how the total is described (`rated threat scenarios`)."""

    key: str
    title: str
    rows: Axis
    columns: Axis
    cells: tuple[tuple[HeatCell, ...], ...]
    value: str
    value_label: str
    badge: str
    counted: str
    total_label: str
    kind: Literal["heatmap"] = "heatmap"

    @property
    def total(self) -> int:
        return sum(cell.count for row in self.cells for cell in row)

    @property
    def corner(self) -> str:
        """The label of the corner cell, naming both axes: `Impact \\ Feasibility`."""
        return f"{self.rows.label} \\ {self.columns.label}"

    @property
    def caption(self) -> str:
        """What the cells say, after the title: `3 rated threat scenarios; cell: count, coloured by ...`."""
        return f"{self.total} {self.total_label}; cell: count, coloured by {self.value_label}"


class Picture(Protocol):
    """What a figure shows, drawn when a renderer needs it."""

    def svg(self) -> str:
        """The picture as one self-contained SVG element (the `xmlns` may be left out)."""
        ...


@dataclass(frozen=True, slots=True)
class Svg:
    """A picture given as SVG markup."""

    markup: str

    def svg(self) -> str:
        return self.markup


@dataclass(frozen=True, slots=True)
class Figure:
    """A picture (HTML and PDF; the tables beside it carry its content in every format).

    `lead` is the figure's main message, `steps` a numbered list under it (each line starts with its
    number, `1. ...`), `variant` a CSS class of the HTML figure.
    """

    key: str
    title: str
    picture: Picture
    note: str = ""
    steps: tuple[str, ...] = ()
    lead: str = ""
    variant: str = ""
    kind: Literal["figure"] = "figure"


Block = Table | Facts | HeatMap | Figure


@dataclass(frozen=True, slots=True)
class Section:
    """One part of a document: a work product (its id shown, e.g. `WP-15-07`) or a supporting section.

    `clause` is where in `standard` the section comes from."""

    id: str
    title: str
    short_title: str
    clause: str
    intro: str
    blocks: tuple[Block, ...]
    work_product: bool = True
    standard: str = ""

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
        """The blocks without the pictures, which only HTML and PDF show."""
        return tuple(b for b in self.blocks if not isinstance(b, Figure))


@dataclass(frozen=True, slots=True)
class Badge:
    """How the values of one producer's kind are shown: as a badge with a class per value, coloured.

    A value's class is `classes[key]`, else `fallback` for a value without colours (when set), else
    `prefix` + the key with spaces as dashes; its key is its text up to a first comma, in lower case (so
    `rejected, obsolete` looks like `rejected`). `colours` gives a key's (background, text) as RGB hex.
    `numeric` values are centred; `tag` values are centred in spreadsheet cells."""

    kind: str
    css: str
    colours: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    prefix: str = ""
    classes: Mapping[str, str] = field(default_factory=dict)
    fallback: str | None = None
    title: str = ""  # the HTML tooltip: `{title} {value}`
    numeric: bool = False
    tag: bool = False

    def key(self, value: Cell) -> str:
        return display(value).split(",", maxsplit=1)[0].strip().lower()

    def variant(self, value: Cell) -> str:
        """The CSS class of `value`, e.g. `r5` or `st-pending-review`."""
        key = self.key(value)
        if key in self.classes:
            return self.classes[key]
        if self.fallback is not None and key not in self.colours:
            return self.fallback
        return self.prefix + key.replace(" ", "-")

    def colour(self, value: Cell) -> tuple[str, str] | None:
        return None if value is None else self.colours.get(self.key(value))


@dataclass(frozen=True, slots=True)
class DocumentControl:
    """Which version of what a document is of (document control): every format shows it at the head
    of the document, and the file name carries it (`file_name`). The subject's `name` and `reference`
    (its id), the `revision`, its review `state` (`approved`), its `approver` (None: not approved) and
    when, the `content_hash` (SHA-256, hex) of the content it was made from, and the `version` it is
    (`Working state`, `Baseline r3 approved`)."""

    name: str
    reference: str
    revision: int
    state: str
    approver: str | None
    content_hash: str
    version: str = ""
    approved_at: str | None = None

    @property
    def facts(self) -> tuple[Fact, ...]:
        approved = (Fact("Approved at", self.approved_at),) if self.approved_at else ()
        return (
            Fact("Document", self.name),
            Fact("Reference", self.reference),
            Fact("Version", self.version or "-"),
            Fact("Revision", f"r{self.revision}"),
            Fact("Review state", self.state),
            Fact("Approved by", self.approver or "not approved"),
            *approved,
            Fact("Content hash (SHA-256)", self.content_hash),
        )

    def as_data(self) -> dict[str, object]:
        return {
            "name": self.name,
            "reference": self.reference,
            "version": self.version,
            "revision": self.revision,
            "state": self.state,
            "approver": self.approver,
            "approved_at": self.approved_at,
            "content_hash": self.content_hash,
        }

    def file_name(self, extension: str) -> str:
        """`connected-ev-r3-approved-1a2b3c4d.html`: reference, revision, state, the hash's first 8."""
        parts = (_slug(self.reference), f"r{self.revision}", _slug(self.state), _slug(self.content_hash[:8]))
        return "-".join(p for p in parts if p) + f".{extension}"


def _slug(text: str) -> str:
    """Lower-case letters and digits, every other run of characters one dash (safe in a file name)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@dataclass(frozen=True, slots=True)
class Document:
    """A whole document. `kind` and `title` make its heading (`TARA report: Headlamp`); `kicker` is a
        line of context above the title, `facts` describe the document under it; `meta` is the same as data
        for the JSON format (named `format`); `generated` is printed only when given; `control` (which version
    of what the document is of) is shown at its head when given."""

    title: str
    sections: tuple[Section, ...]
    kind: str = ""
    kicker: tuple[str, ...] = ()
    facts: tuple[Fact, ...] = ()
    meta: Mapping[str, object] = field(default_factory=dict)
    format: str = "opencsms-document/1"
    generated: str | None = None
    badges: tuple[Badge, ...] = ()
    control: DocumentControl | None = None

    @property
    def heading(self) -> str:
        return f"{self.kind}: {self.title}" if self.kind else self.title

    def dated(self, fixed: datetime) -> datetime:
        """When the document was generated if `generated` is ISO 8601, else `fixed` (files need a date)."""
        try:
            return datetime.fromisoformat(self.generated) if self.generated else fixed
        except ValueError:
            return fixed

    def section(self, section_id: str) -> Section:
        return next(s for s in self.sections if s.id == section_id)

    def badge(self, kind: str) -> Badge | None:
        return next((b for b in self.badges if b.kind == kind), None)


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
