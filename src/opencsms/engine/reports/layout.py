"""Where each node of an architecture picture goes: one column per layer, left to right from the entry
points, nodes ordered to cross few edges (barycentre sweeps) and moved towards their neighbours.

Deterministic: the same architecture always gives the same coordinates, whatever the platform.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from opencsms.engine.reports.architecture import UNREACHED, Architecture, ArchNode, NodeKind

WIDTHS: dict[NodeKind, float] = {"entry": 156, "component": 180, "bus": 160}
PADDING: dict[NodeKind, float] = {"entry": 24, "component": 12, "bus": 16}  # room beside the text
NAME_SIZE, DETAIL_SIZE, LINE = 12.0, 9.5, 14.0
NAME_LINES: dict[NodeKind, int] = {"entry": 2, "component": 2, "bus": 2}
GUTTER = 78  # the attacker's column, left of the entry points
GAP_X = 64
GAP_Y = {"entry": 10, "component": 14, "bus": 14}
TOP, BOTTOM, RIGHT = 44, 14, 14
SWEEPS = 8
SETTLE = 4


def clip(text: str, width: float, size: float, *, bold: bool = False) -> str:
    """`text` cut with an ellipsis to fit `width` pixels at font `size` (an estimate of the glyph width)."""
    fits = int(width / (size * (0.6 if bold else 0.52)))
    return text if len(text) <= fits else text[: max(1, fits - 1)].rstrip() + "\u2026"


def wrap(text: str, width: float, size: float, lines: int) -> tuple[str, ...]:
    """`text` on at most `lines` bold lines of `width` pixels, broken between words, the last one clipped."""
    fits = int(width / (size * 0.6))
    out: list[str] = []
    rest = text.split()
    while rest and len(out) < lines - 1:
        line = rest.pop(0)
        while rest and len(line) + 1 + len(rest[0]) <= fits:
            line += " " + rest.pop(0)
        if len(line) > fits:  # one long word: leave it to the last line's clipping
            rest.insert(0, line)
            break
        out.append(line)
    if rest:
        out.append(clip(" ".join(rest), width, size, bold=True))
    return tuple(out) or ("",)


def name_lines(node: ArchNode) -> tuple[str, ...]:
    return wrap(node.name, WIDTHS[node.kind] - PADDING[node.kind], NAME_SIZE, NAME_LINES[node.kind])


def size(node: ArchNode) -> tuple[float, float]:
    """Width and height of a node's box: its name on one or two lines, then a smaller line of detail."""
    return WIDTHS[node.kind], 12 + LINE * len(name_lines(node)) + DETAIL_SIZE + 6


@dataclass(frozen=True, slots=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


@dataclass(frozen=True, slots=True)
class Column:
    x: float
    w: float
    heading: str


@dataclass(frozen=True, slots=True)
class Layout:
    width: float
    height: float
    boxes: Mapping[str, Box]  # node key -> its box; shared by the cache, not to be changed
    columns: tuple[Column, ...]
    attacker: tuple[float, float]  # centre of the attacker's mark


def _column_of(node: ArchNode, deepest: int) -> int:
    if node.layer != UNREACHED:
        return node.layer
    return deepest + (2 if node.kind == "bus" else 1)


def _columns(arch: Architecture) -> list[list[ArchNode]]:
    deepest = max((n.layer for n in arch.nodes), default=0)
    columns: dict[int, list[ArchNode]] = {}
    for node in arch.nodes:
        columns.setdefault(_column_of(node, deepest), []).append(node)
    return [columns[i] for i in sorted(columns)]


def _neighbours(arch: Architecture) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {n.key: [] for n in arch.nodes}
    for edge in arch.edges:
        found[edge.source].append(edge.target)
        found[edge.target].append(edge.source)
    return found


def _between(left: list[ArchNode], right: list[ArchNode], neighbours: dict[str, list[str]]) -> int:
    at = {n.key: i for i, n in enumerate(right)}
    ends = sorted((i, at[k]) for i, n in enumerate(left) for k in neighbours[n.key] if k in at)
    return sum(1 for x, (a, p) in enumerate(ends) for b, q in ends[x + 1 :] if a < b and p > q)


def crossings(columns: list[list[ArchNode]], neighbours: dict[str, list[str]]) -> int:
    """How many pairs of edges between neighbouring columns cross, for these orders of the columns."""
    return sum(_between(left, right, neighbours) for left, right in pairwise(columns))


def _transpose(columns: list[list[ArchNode]], neighbours: dict[str, list[str]]) -> None:
    """Swap neighbours in a column while that removes crossings with the columns beside it."""

    def local(c: int) -> int:
        before = _between(columns[c - 1], columns[c], neighbours) if c > 0 else 0
        after = _between(columns[c], columns[c + 1], neighbours) if c + 1 < len(columns) else 0
        return before + after

    for _ in range(SWEEPS):
        improved = False
        for c, column in enumerate(columns):
            for i in range(len(column) - 1):
                now = local(c)
                column[i], column[i + 1] = column[i + 1], column[i]
                if local(c) < now:
                    improved = True
                else:
                    column[i], column[i + 1] = column[i + 1], column[i]
        if not improved:
            return


def _sweep(columns: list[list[ArchNode]], neighbours: dict[str, list[str]], down: bool) -> None:
    """Reorder each column by the mean position of its neighbours in the column before (or after)."""
    pos = {n.key: (i + 0.5) / len(column) for column in columns for i, n in enumerate(column)}
    for c in range(1, len(columns)) if down else range(len(columns) - 2, -1, -1):
        ref = {n.key for n in columns[c - 1 if down else c + 1]}

        def weight(node: ArchNode, ref: set[str] = ref) -> tuple[float, float]:
            near = [pos[k] for k in neighbours[node.key] if k in ref]
            return (sum(near) / len(near) if near else pos[node.key], pos[node.key])

        columns[c].sort(key=weight)
        pos.update({n.key: (i + 0.5) / len(columns[c]) for i, n in enumerate(columns[c])})


def _order(columns: list[list[ArchNode]], neighbours: dict[str, list[str]]) -> None:
    """Barycentre sweeps down and up the columns, keeping the orders with the fewest crossings."""
    best, fewest = [list(c) for c in columns], crossings(columns, neighbours)
    for sweep in range(SWEEPS):
        _sweep(columns, neighbours, down=sweep % 2 == 0)
        now = crossings(columns, neighbours)
        if now < fewest:
            best, fewest = [list(c) for c in columns], now
    columns[:] = best
    _transpose(columns, neighbours)


def _fit(wanted: list[float], heights: list[float], gap: float, low: float, high: float) -> list[float]:
    """Tops as close to `wanted` as the order, the gaps and the band [low, high] allow."""
    tops: list[float] = []
    floor = low
    for want, h in zip(wanted, heights, strict=True):
        tops.append(max(want, floor))
        floor = tops[-1] + h + gap
    ceiling = high
    for i in range(len(tops) - 1, -1, -1):
        tops[i] = min(tops[i], ceiling - heights[i])
        ceiling = tops[i] - gap
    return tops


def _stack_height(column: list[ArchNode]) -> float:
    return sum(size(n)[1] for n in column) + GAP_Y[column[0].kind] * (len(column) - 1)


def _place(columns: list[list[ArchNode]], neighbours: dict[str, list[str]], band: float) -> dict[str, float]:
    """The centre line of every node: stacked, then pulled towards its neighbours a few times."""
    centre: dict[str, float] = {}
    for column in columns:
        top = TOP + (band - _stack_height(column)) / 2
        for node in column:
            h = size(node)[1]
            centre[node.key] = top + h / 2
            top += h + GAP_Y[column[0].kind]
    for _ in range(SETTLE):
        for column in columns:
            heights = [size(n)[1] for n in column]
            wanted = []
            for node, h in zip(column, heights, strict=True):
                near = [centre[k] for k in neighbours[node.key]]
                wanted.append((sum(near) / len(near) if near else centre[node.key]) - h / 2)
            tops = _fit(wanted, heights, GAP_Y[column[0].kind], TOP, TOP + band)
            centre.update({n.key: t + h / 2 for n, t, h in zip(column, tops, heights, strict=True)})
    return centre


def _heading(column: list[ArchNode]) -> str:
    layer = column[0].layer
    if layer == UNREACHED:
        return "Not reached"
    return "Entry points" if layer == 0 else f"Distance {layer}"


@lru_cache(maxsize=16)
def layout(arch: Architecture) -> Layout:
    """Coordinates of every node of `arch` (cached: the path pictures reuse the architecture's layout)."""
    columns = _columns(arch)
    neighbours = _neighbours(arch)
    _order(columns, neighbours)
    band = max((_stack_height(c) for c in columns), default=0.0)
    centre = _place(columns, neighbours, band)
    boxes: dict[str, Box] = {}
    heads: list[Column] = []
    x: float = GUTTER
    for column in columns:
        width = max(WIDTHS[n.kind] for n in column)
        heads.append(Column(x, width, _heading(column)))
        for node in column:
            w, h = size(node)
            boxes[node.key] = Box(round(x + (width - w) / 2, 1), round(centre[node.key] - h / 2, 1), w, h)
        x += width + GAP_X
    width = x - GAP_X + RIGHT if columns else GUTTER + RIGHT
    return Layout(width, TOP + band + BOTTOM, boxes, tuple(heads), (GUTTER / 2 - 6, TOP + band / 2))
