"""Where each node of an attack tree goes (ISO/SAE 21434:2021 15.6, RQ-15-08: an attack path as a tree;
15.7 and Annex G: its feasibility), and which nodes decide the tree's feasibility.

Top down, one row per depth: the steps (leaves) take the slots of the bottom rows left to right in the
tree's order, and every gate sits centred over its first and last child. Each subtree keeps a range of
slots of its own, so no two boxes overlap. Under a gate hangs its symbol (AND or OR), and from it the
edges to the children.

What decides: the root; every child of a deciding AND gate (each step is needed, 15.7 and the
aggregation of docs/method.md); of a deciding OR gate the easiest child (the lowest `rank`, the first
one on a tie: the child the engine's rating takes). Pure and deterministic: coordinates rounded to 0.1.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from opencsms.engine.reports.layout import wrap

WIDTH, NAME_SIZE, RATING_SIZE, LINE = 176.0, 11.5, 10.0, 14.0
NAME_LINES = 2
HEIGHT = 10 + LINE * NAME_LINES + RATING_SIZE + 8
GATE = 26.0  # the height of a gate's symbol under its box
GAP_X, GAP_Y = 20.0, 36.0
MARGIN = 12.0


@dataclass(frozen=True, slots=True)
class TreeItem:
    """One node to draw: `key` its address in the tree ("" for the root, "0.1" the second child of the
    first child), `gate` "and" / "or" (None: a step), `rating` the line shown under its name and `rank`
    how easy it is for the attacker (lower is easier; None: not rated)."""

    key: str
    name: str
    gate: str | None
    rating: str
    rank: float | None
    children: tuple[TreeItem, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class PlacedNode:
    item: TreeItem
    x: float
    y: float
    w: float
    h: float
    lines: tuple[str, ...]  # the name, wrapped to the box
    deciding: bool

    @property
    def cx(self) -> float:
        return self.x + self.w / 2


@dataclass(frozen=True, slots=True)
class TreeEdge:
    """From the bottom of a gate's symbol (x1, y1) down to the top of a child's box (x2, y2)."""

    parent: str
    child: str
    x1: float
    y1: float
    x2: float
    y2: float
    deciding: bool


@dataclass(frozen=True, slots=True)
class TreeLayout:
    width: float
    height: float
    nodes: tuple[PlacedNode, ...]  # depth first, the root first
    edges: tuple[TreeEdge, ...]


def deciding(root: TreeItem) -> frozenset[str]:
    """The keys of the nodes that decide the feasibility of the tree rooted at `root`."""
    found: set[str] = set()
    pending = [root]
    while pending:
        node = pending.pop()
        found.add(node.key)
        if node.gate == "and" or len(node.children) == 1:
            pending.extend(node.children)
        elif node.children:
            rated = [child for child in node.children if child.rank is not None]
            if rated:
                pending.append(min(rated, key=lambda child: child.rank or 0.0))
    return frozenset(found)


def _slots(node: TreeItem, depth: int, next_slot: list[int], centres: dict[str, tuple[float, int]]) -> float:
    """The centre slot of `node` (fractional for a gate), recorded with its depth for every node below."""
    if not node.children:
        slot = float(next_slot[0])
        next_slot[0] += 1
    else:
        inner = [_slots(child, depth + 1, next_slot, centres) for child in node.children]
        slot = (inner[0] + inner[-1]) / 2
    centres[node.key] = (slot, depth)
    return slot


def _walk(node: TreeItem) -> list[TreeItem]:
    out = [node]
    for child in node.children:
        out.extend(_walk(child))
    return out


def layout_tree(root: TreeItem) -> TreeLayout:
    """Boxes and edges of the tree rooted at `root`, the deciding ones marked."""
    centres: dict[str, tuple[float, int]] = {}
    leaves = [0]
    _slots(root, 0, leaves, centres)
    marked = deciding(root)
    row = HEIGHT + GATE + GAP_Y
    placed: dict[str, PlacedNode] = {}
    for item in _walk(root):
        slot, depth = centres[item.key]
        x = MARGIN + slot * (WIDTH + GAP_X)
        lines = wrap(item.name or "-", WIDTH - 14, NAME_SIZE, NAME_LINES)
        y = MARGIN + depth * row
        placed[item.key] = PlacedNode(
            item, round(x, 1), round(y, 1), WIDTH, HEIGHT, lines, item.key in marked
        )
    edges = []
    for item in _walk(root):
        top = placed[item.key]
        for child in item.children:
            low = placed[child.key]
            edges.append(
                TreeEdge(
                    item.key,
                    child.key,
                    round(top.cx, 1),
                    round(top.y + HEIGHT + GATE, 1),
                    round(low.cx, 1),
                    low.y,
                    item.key in marked and child.key in marked,
                )
            )
    depth = max(d for _, d in centres.values())
    width = 2 * MARGIN + leaves[0] * WIDTH + (leaves[0] - 1) * GAP_X
    height = 2 * MARGIN + depth * row + HEIGHT
    return TreeLayout(round(width, 1), round(height, 1), tuple(placed.values()), tuple(edges))
