"""SVG pictures of attack trees (ISO/SAE 21434:2021 15.6, RQ-15-08; 15.7 and Annex G): every node with its
rating by the path's approach, AND and OR gates drawn as gates, the nodes that decide the feasibility
highlighted (`tree_layout.deciding`).

Each subtree is rated as a path of its own by the engine's `TreeRater`, so the rating of a gate is the
aggregation the TARA's evaluation uses. Plain SVG for inline use in HTML: presentation attributes only
(the pages' CSP forbids style attributes), every model text escaped; with `link`, each node is a link
(`{key}` in it replaced by the node's address, `root` for the root).
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from opencsms.engine.reports.pictures import FONT, INK, MUTED, RED, _n, _text
from opencsms.engine.reports.tree_layout import (
    GATE,
    HEIGHT,
    LINE,
    NAME_SIZE,
    RATING_SIZE,
    PlacedNode,
    TreeEdge,
    TreeItem,
    TreeLayout,
    layout_tree,
)
from opencsms.engine.tara.evaluate import interface_vectors
from opencsms.engine.tara.feasibility import TreeRater
from opencsms.engine.tara.model import AttackPath, FeasibilityMethod, Gate, Node
from opencsms.engine.tara.result import TaraResult

GATE_FILL, GATE_STROKE = "#EFE7F8", "#6A2C91"
STEP_FILL, STEP_STROKE = "#EAF1FB", "#2F6FB2"
EDGE = "#8FA0B5"
DECIDING_FILL = "#FDECEA"


def _rating(
    node: Node, path: AttackPath, method: FeasibilityMethod, rater: TreeRater, names: Mapping[str, str]
) -> tuple[str, float | None]:
    """The line under a node and its rank (lower: easier for the attacker)."""
    try:
        rated = rater.rate(AttackPath(path.id, path.name, node), method)
    except (ValueError, KeyError, AssertionError):  # a step not rated for this approach
        return "not rated", None
    level = names.get(rated.feasibility, rated.feasibility)
    if method is FeasibilityMethod.ATTACK_POTENTIAL:
        return f"{level} · potential {rated.score:g}", rated.score
    if method is FeasibilityMethod.CVSS:
        return f"{level} · exploitability {rated.score:g}", -rated.score
    vector = names.get(rated.vector or "", rated.vector or "")
    return f"{level} · {vector}", rated.score


def tree_items(
    path: AttackPath,
    method: FeasibilityMethod,
    rater: TreeRater,
    names: Mapping[str, str] | None = None,
) -> TreeItem:
    """The tree of `path` with each node rated by `method`; `names` gives the words of levels and vectors."""
    words = names or {}

    def item(node: Node, key: str) -> TreeItem:
        rating, rank = _rating(node, path, method, rater, words)
        if not isinstance(node, Gate):
            return TreeItem(key, node.name, None, rating, rank)
        children = tuple(
            item(child, f"{key}.{i}" if key else str(i)) for i, child in enumerate(node.children)
        )
        return TreeItem(key, node.name, node.kind, rating, rank, children)

    return item(path.tree, "")


def _gate_symbol(node: PlacedNode, colour: str) -> str:
    """The gate under its box: AND a flat-bottomed dome, OR a shield with a curved base (fault-tree signs)."""
    x, top, bottom = node.cx, node.y + HEIGHT, node.y + HEIGHT + GATE
    half = 13
    if node.item.gate == "and":
        d = (
            f"M{_n(x - half)},{_n(bottom)} L{_n(x - half)},{_n(top + 12)} "
            f"A{half},12 0 0 1 {_n(x + half)},{_n(top + 12)} L{_n(x + half)},{_n(bottom)} Z"
        )
    else:
        d = (
            f"M{_n(x - half)},{_n(bottom)} Q{_n(x - half)},{_n(top + 8)} {_n(x)},{_n(top)} "
            f"Q{_n(x + half)},{_n(top + 8)} {_n(x + half)},{_n(bottom)} "
            f"Q{_n(x)},{_n(bottom - 7)} {_n(x - half)},{_n(bottom)} Z"
        )
    kind = str(node.item.gate).upper()
    return (
        f'<path class="gate" data-gate="{kind.lower()}" d="{d}" fill="{GATE_FILL}" stroke="{colour}" '
        f'stroke-width="1.5"/>' + _text(x, bottom - 4, kind, 7.5, colour, bold=True)
    )


def _node(node: PlacedNode, link: str) -> str:
    item = node.item
    gate = item.gate is not None
    stroke = RED if node.deciding else (GATE_STROKE if gate else STEP_STROKE)
    fill = DECIDING_FILL if node.deciding else (GATE_FILL if gate else STEP_FILL)
    width = "2.5" if node.deciding else "1.2"
    box = (
        f'<rect x="{_n(node.x)}" y="{_n(node.y)}" width="{_n(node.w)}" height="{_n(node.h)}" rx="6" '
        f'fill="{fill}" stroke="{stroke}" stroke-width="{width}"/>'
    )
    texts = [
        _text(node.cx, node.y + 4 + LINE * (i + 1) - 2, line, NAME_SIZE, INK, bold=True)
        for i, line in enumerate(node.lines)
    ]
    texts.append(
        _text(node.cx, node.y + node.h - 7, item.rating, RATING_SIZE, RED if node.deciding else MUTED)
    )
    kind = f"{item.gate.upper()} gate" if item.gate else "step"
    decides = ", decides the feasibility" if node.deciding else ""
    title = f"<title>{escape(f'{item.name} ({kind}): {item.rating}{decides}')}</title>"
    inner = title + box + "".join(texts) + (_gate_symbol(node, stroke) if gate else "")
    if link:
        href = escape(link.replace("{key}", item.key or "root"), quote=True)
        inner = f'<a href="{href}">{inner}</a>'
    state = "true" if node.deciding else "false"
    return (
        f'<g class="tree-node" data-key="{escape(item.key or "root", quote=True)}" '
        f'data-deciding="{state}" data-gate="{item.gate or "step"}">{inner}</g>'
    )


def _edge(edge: TreeEdge) -> str:
    middle = (edge.y1 + edge.y2) / 2
    d = (
        f"M{_n(edge.x1)},{_n(edge.y1)} L{_n(edge.x1)},{_n(middle)} L{_n(edge.x2)},{_n(middle)} "
        f"L{_n(edge.x2)},{_n(edge.y2)}"
    )
    colour, width = (RED, "3") if edge.deciding else (EDGE, "1.4")
    state = "true" if edge.deciding else "false"
    return (
        f'<path class="tree-edge" data-deciding="{state}" d="{d}" fill="none" stroke="{colour}" '
        f'stroke-width="{width}"/>'
    )


def tree_svg(lay: TreeLayout, title: str, *, link: str = "") -> str:
    """The SVG of a laid-out tree; the deciding edges are drawn last, over the others."""
    edges = sorted(lay.edges, key=lambda e: e.deciding)
    # with links, a group: the links of an image are hidden from assistive technology
    role = f'role="group" aria-label="{escape(title, quote=True)}"' if link else 'role="img"'
    return (
        f'<svg viewBox="0 0 {_n(lay.width)} {_n(lay.height)}" width="{_n(lay.width)}" '
        f'height="{_n(lay.height)}" font-family="{escape(FONT, quote=True)}" {role}>'
        f"<title>{escape(title)}</title>"
        + "".join(_edge(e) for e in edges)
        + "".join(_node(n, link) for n in lay.nodes)
        + "</svg>"
    )


def path_tree_svg(
    path: AttackPath,
    method: FeasibilityMethod,
    rater: TreeRater,
    names: Mapping[str, str] | None = None,
    *,
    link: str = "",
) -> str:
    """One attack path's tree, rated, laid out and drawn."""
    lay = layout_tree(tree_items(path, method, rater, names))
    return tree_svg(lay, f"Attack tree of {path.id} {path.name}", link=link)


def threat_tree_svgs(
    result: TaraResult, threat: str, names: Mapping[str, str] | None = None, *, link: str = ""
) -> dict[str, str]:
    """The tree picture of every attack path of threat scenario `threat`, by path id ({} if unknown);
    in `link`, `{path}` is replaced by the path's id and `{key}` by each node's address."""
    found = next((t for t in result.model.threat_scenarios if t.id == threat), None)
    if found is None:
        return {}
    rater = TreeRater(result.profile, interface_vectors(result.model))
    default = result.model.method.feasibility
    return {
        path.id: path_tree_svg(
            path, path.method or default, rater, names, link=link.replace("{path}", path.id)
        )
        for path in found.attack_paths
    }
