"""What refers to what in a TARA and its traceability matrix, for the pages, the API and the downloads.

Both come from the engine (`engine.tara.references`, `engine.tara.traceability`) over the working
state's model, so a page, the API and `opencsms tara trace` say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator

from opencsms.core.errors import Invalid
from opencsms.core.models import User
from opencsms.core.spreadsheets import Download
from opencsms.engine.tara.references import ReferenceIndex, references
from opencsms.engine.tara.trace_render import MEDIA_TYPES, TRACE_FORMATS, render_trace
from opencsms.engine.tara.traceability import COLUMNS, Gap, Traceability, TraceCell, TraceRow, traceability
from opencsms.tara.models import SINGULAR, Kind, Tara
from opencsms.tara.selectors.documents import element, evaluated, tara


@dataclass(frozen=True)
class Related:
    """An element on the other end of references, once, with the fields they are made in."""

    kind: str
    ref: str
    name: str
    fields: tuple[str, ...]

    @property
    def singular(self) -> str:
        return SINGULAR[self.kind]


@dataclass(frozen=True)
class ElementReferences:
    kind: str
    ref: str
    refers_to: tuple[Related, ...]  # the elements it names
    used_by: tuple[Related, ...]  # the elements naming it


def reference_index(tara_obj: Tara) -> ReferenceIndex:
    """Every reference between the elements of the working state."""
    return references(evaluated(tara_obj).model)


def element_references(tara_obj: Tara, kind: Kind | str, ref: str) -> ElementReferences:
    """What element `ref` refers to and what refers to it (`NotFound` when there is no such element)."""
    element(tara_obj, Kind(kind), ref)
    index = reference_index(tara_obj)
    named: dict[tuple[str, str], list[str]] = {}
    for link in index.refers_to(str(kind), ref):
        named.setdefault((link.target_kind, link.target), []).append(link.field)
    refers_to = tuple(
        Related(k, r, index.name(k, r), tuple(dict.fromkeys(fields))) for (k, r), fields in named.items()
    )
    used_by = tuple(
        Related(u.kind, u.ref, index.name(u.kind, u.ref), u.fields) for u in index.referrers(str(kind), ref)
    )
    return ElementReferences(str(kind), ref, refers_to, used_by)


@dataclass(frozen=True)
class TraceLine:
    """A row as the page shows it: each column's element (or None) and whether the gap is there."""

    cells: tuple[tuple[TraceCell | None, bool], ...]
    gap: Gap | None


def _line(row: TraceRow) -> TraceLine:
    missing = row.gap.missing if row.gap else None
    return TraceLine(
        tuple((c, key == missing) for c, (key, _) in zip(row.cells, COLUMNS, strict=True)), row.gap
    )


@dataclass(frozen=True)
class TracePage:
    tara: Tara
    matrix: Traceability
    lines: tuple[TraceLine, ...]  # the rows of this page
    page: Page[TraceRow]
    only_gaps: bool
    columns: tuple[tuple[str, str], ...] = COLUMNS
    formats: tuple[str, ...] = TRACE_FORMATS
    kinds: list[tuple[str, str]] = field(default_factory=lambda: list(Kind.choices))


def trace_matrix(tara_obj: Tara) -> Traceability:
    """The traceability matrix of the working state, with its gaps."""
    return traceability(evaluated(tara_obj).model)


ROWS_PER_PAGE = 250


def trace_page(
    user: User, tara_id: int, *, only_gaps: bool = False, number: str | int | None = None
) -> TracePage:
    """The matrix page: every row, or (`only_gaps`) the rows with a gap, `ROWS_PER_PAGE` at a time."""
    found = tara(user, tara_id)
    matrix = trace_matrix(found)
    rows = [row for row in matrix.rows if row.gap or not only_gaps]
    page = Paginator(rows, ROWS_PER_PAGE).get_page(number)
    return TracePage(found, matrix, tuple(_line(row) for row in page.object_list), page, only_gaps)


def trace_file(tara_obj: Tara, fmt: str) -> Download:
    """The matrix as a download: csv, xlsx or md."""
    if fmt not in TRACE_FORMATS:
        raise Invalid(f"format {fmt!r}: use one of {', '.join(TRACE_FORMATS)}")
    content = render_trace(trace_matrix(tara_obj), fmt)
    return Download(content, f"{tara_obj.ref}-traceability.{fmt}", MEDIA_TYPES[fmt])
