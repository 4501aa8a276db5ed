"""What a list's bulk actions and downloads read: the elements a bulk action applies to (the ticked ones, or
every one matching the list's filter, across its pages) and the filtered list as CSV or XLSX.

A download holds the rows the list shows with its filter and sort, every page of them, with the list's
columns as stored (ids and values, not labels, so that a spreadsheet can filter them). No cell is ever
read as a formula by a spreadsheet.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from opencsms.core.models import User
from opencsms.core.spreadsheets import Download, check_format, table_file
from opencsms.tara.models import Kind
from opencsms.tara.selectors.analysis import generated_threats
from opencsms.tara.selectors.documents import ElementFilter, elements, tara
from opencsms.tara.selectors.workspace import COLUMNS


@dataclass(frozen=True)
class Selection:
    """What a bulk action applies to: the ticked `refs`, or (`all_matching`) every element the list's
    filter matches, on every page."""

    refs: list[str] = field(default_factory=list)
    all_matching: bool = False
    filters: ElementFilter = field(default_factory=ElementFilter)
    state: str = ""  # the generation page's filter: a review status or obsolete


def selected_refs(user: User, tara_id: int, kind: Kind, selection: Selection) -> list[str]:
    """The ids a bulk action on a list applies to, in the list's order when all matching are chosen."""
    if not selection.all_matching:
        return list(dict.fromkeys(selection.refs))
    found = elements(tara(user, tara_id), kind, selection.filters)
    return list(found.values_list("ref", flat=True))


def selected_generated(user: User, tara_id: int, selection: Selection) -> list[str]:
    """The same for the generation page: the ticked proposals, or all generated ones matching its filter."""
    if not selection.all_matching:
        return list(dict.fromkeys(selection.refs))
    found = generated_threats(tara(user, tara_id), selection.state, selection.filters.q)
    return list(found.values_list("ref", flat=True))


def _rows(user: User, tara_id: int, kind: Kind, filters: ElementFilter) -> tuple[str, list[list[object]]]:
    found = tara(user, tara_id)
    columns = ("ref", "label", *COLUMNS.get(kind, ()))
    rows = elements(found, kind, filters).values_list(*columns)
    head: list[object] = ["id", "name", *COLUMNS.get(kind, ())]
    return found.ref, [head, *rows]


def list_export(user: User, tara_id: int, kind: Kind, filters: ElementFilter, fmt: str) -> Download:
    """The filtered, sorted list (every page) as `csv` or `xlsx`, named after the TARA and the list."""
    check_format(fmt)
    ref, rows = _rows(user, tara_id, kind, filters)
    return table_file(rows, filename=f"{ref}-{kind.value}.{fmt}", fmt=fmt, sheet=kind.label)
