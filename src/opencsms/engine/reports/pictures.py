"""SVG pictures of the report: the architecture (WP-09-01) and attack paths on it (WP-15-05).

Plain SVG markup for inline use in HTML (which puts it in the SVG namespace, so no `xmlns`), no scripts,
presentation attributes only, every model text escaped. In the HTML the architecture is drawn once, as a
group with an id; the attack path pictures reuse it with `<use>` (dimmed) and draw only the path on top,
which keeps a report with many paths small (`shared_svgs`). Drawn alone (`Drawing.svg`, e.g. for the PDF)
each picture holds the whole architecture. Deterministic: coordinates are rounded to 0.1.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from urllib.parse import quote

from opencsms.engine.documents import Figure
from opencsms.engine.reports.architecture import Architecture, ArchNode
from opencsms.engine.reports.layout import (
    DETAIL_SIZE,
    LINE,
    NAME_SIZE,
    PADDING,
    Box,
    Layout,
    clip,
    layout,
    name_lines,
)

FONT = "-apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
RED = "#C62828"
INK, MUTED = "#1C2430", "#5D6B7C"
DIM = 0.28
ARROW = 9
# component kind -> (fill, stroke); any other kind is drawn like an ECU
COMPONENT_STYLES = {
    "gateway": ("#EFE7F8", "#6A2C91"),
    "sensor": ("#E4F3F0", "#00796B"),
    "actuator": ("#E4F3F0", "#00796B"),
    "backend": ("#EEF1F4", "#546E7A"),
    "mobile": ("#EEF1F4", "#546E7A"),
    "external": ("#EEF1F4", "#546E7A"),
}
ECU_STYLE = ("#EAF1FB", "#2F6FB2")
OUT_OF_SCOPE = ("#FAFBFC", "#8A96A6")


@dataclass(frozen=True, slots=True)
class Drawing:
    """A picture of the architecture, optionally with one attack path highlighted (a figure's picture).

    `path` holds the hops of the path as (source, target) attack-graph node keys, from the attacker on;
    `links` (node kind, address with `{ident}`) makes each node of those kinds a link to its element.
    """

    architecture: Architecture
    title: str
    path: tuple[tuple[str, str], ...] = ()
    links: tuple[tuple[str, str], ...] = ()

    def svg(self) -> str:
        """The picture alone, the architecture drawn in it."""
        return figure_svg(self, "arch", draw_base=True)


def _n(value: float) -> str:
    """A coordinate, short and the same on every platform."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _attr(value: str) -> str:
    return escape(value, quote=True)


def _text(x: float, y: float, text: str, size: float, fill: str, *, bold: bool = False) -> str:
    weight = ' font-weight="600"' if bold else ""
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}"{weight} fill="{fill}" '
        f'text-anchor="middle">{escape(text)}</text>'
    )


def _shape(node: ArchNode, box: Box) -> tuple[str, str, str]:
    """The node's outline, and the colours of its two lines of text."""
    at = f'x="{_n(box.x)}" y="{_n(box.y)}" width="{_n(box.w)}" height="{_n(box.h)}"'
    if node.kind == "bus":
        return f'<rect {at} rx="{_n(box.h / 2)}" fill="#24364B"/>', "#FFFFFF", "#C9D6E6"
    if node.kind == "entry":
        tip = box.x + 12
        marker = (
            f'<path d="M{_n(box.x + 5)},{_n(box.cy - 6)} L{_n(tip)},{_n(box.cy)} '
            f'L{_n(box.x + 5)},{_n(box.cy + 6)} Z" fill="#E08A00"/>'
        )
        rect = f'<rect {at} rx="7" fill="#FFF3E0" stroke="#E08A00" stroke-width="1.4"/>'
        return rect + marker, "#4A3000", "#8A5A00"
    fill, stroke = COMPONENT_STYLES.get(node.detail, ECU_STYLE) if node.in_scope else OUT_OF_SCOPE
    dash = "" if node.in_scope else ' stroke-dasharray="5 3"'
    rect = f'<rect {at} rx="6" fill="{fill}" stroke="{stroke}" stroke-width="1.4"{dash}/>'
    return rect, INK if node.in_scope else MUTED, MUTED


def _node(node: ArchNode, box: Box, ident: str, link: str = "") -> str:
    outline, ink, soft = _shape(node, box)
    scope = "" if node.in_scope else ", out of scope"
    detail = node.detail if node.kind == "entry" else f"{node.detail} · {node.ident}"
    if not node.in_scope:
        detail = f"{detail} · out of scope"
    inner = box.w - PADDING[node.kind]
    cx = box.x + box.w / 2 + (6 if node.kind == "entry" else 0)
    names = name_lines(node)
    texts = [
        _text(cx, box.y + 6 + LINE * (i + 1) - 2, line, NAME_SIZE, ink, bold=True)
        for i, line in enumerate(names)
    ]
    texts.append(_text(cx, box.y + box.h - 8, clip(detail, inner, DETAIL_SIZE), DETAIL_SIZE, soft))
    drawn = outline + "".join(texts)
    if link:
        drawn = f'<a href="{_attr(link.replace("{ident}", quote(node.ident, safe="")))}">{drawn}</a>'
    return (
        f'<g id="{ident}" data-node="{_attr(node.key)}" data-kind="{node.kind}">'
        f"<title>{escape(f'{node.name} ({node.ident}): {node.detail}{scope}')}</title>{drawn}</g>"
    )


def _curve(a: Box | tuple[float, float], b: Box, *, cut_start: float = 0, cut_end: float = 0) -> str:
    """A smooth link from the right of `a` (a box or a point) to the left of `b`, or looping right."""
    x1, y1 = (a.right, a.cy) if isinstance(a, Box) else a
    if b.x >= x1:
        x1, x2, y2 = x1 + cut_start, b.x - cut_end, b.cy
        dx = max(20.0, (x2 - x1) / 2)
        return f"M{_n(x1)},{_n(y1)} C{_n(x1 + dx)},{_n(y1)} {_n(x2 - dx)},{_n(y2)} {_n(x2)},{_n(y2)}"
    x2, y2 = b.right + cut_end, b.cy
    bulge = max(x1, x2) + 40
    return f"M{_n(x1)},{_n(y1)} C{_n(bulge)},{_n(y1)} {_n(bulge)},{_n(y2)} {_n(x2)},{_n(y2)}"


def _attacker(lay: Layout, colour: str) -> str:
    x, y = lay.attacker
    return (
        f'<g fill="{colour}"><circle cx="{_n(x)}" cy="{_n(y - 13)}" r="7"/>'
        f'<path d="M{_n(x - 12)},{_n(y + 12)} Q{_n(x - 12)},{_n(y - 3)} {_n(x)},{_n(y - 3)} '
        f'Q{_n(x + 12)},{_n(y - 3)} {_n(x + 12)},{_n(y + 12)} Z"/></g>'
        + _text(x, y + 28, "Attacker", 11, colour, bold=True)
    )


def _base(arch: Architecture, lay: Layout, base: str, links: Mapping[str, str]) -> str:
    parts = [f'<g id="{base}">']
    parts += [_text(c.x + c.w / 2, 20, c.heading.upper(), 10, MUTED, bold=True) for c in lay.columns]
    ax, ay = lay.attacker
    for node in arch.nodes:
        if node.kind == "entry":
            d = _curve((ax + 16, ay), lay.boxes[node.key])
            parts.append(f'<path d="{d}" fill="none" stroke="#C4CDD8" stroke-dasharray="2 3"/>')
    for edge in arch.edges:
        a, b = lay.boxes[edge.source], lay.boxes[edge.target]
        left, right = (a, b) if a.x <= b.x else (b, a)
        colour = "#E5B36A" if edge.source.startswith("entry:") else "#8FA0B5"
        parts.append(
            f'<path class="edge" data-source="{_attr(edge.source)}" data-target="{_attr(edge.target)}" '
            f'd="{_curve(left, right)}" fill="none" stroke="{colour}" stroke-width="1.5"/>'
        )
    parts.append(_attacker(lay, MUTED))
    parts += [
        _node(n, lay.boxes[n.key], f"{base}-n{i}", links.get(n.kind, "")) for i, n in enumerate(arch.nodes)
    ]
    return "".join(parts) + "</g>"


def _arrow(box: Box, *, from_left: bool) -> str:
    x, y, s = (box.x, box.cy, 1) if from_left else (box.right, box.cy, -1)
    return (
        f'<path d="M{_n(x)},{_n(y)} L{_n(x - s * ARROW)},{_n(y - 5)} L{_n(x - s * ARROW)},{_n(y + 5)} Z" '
        f'fill="{RED}"/>'
    )


def _drawn(lay: Layout, key: str) -> str:
    """The node that stands for an attack-graph node: an external interface shared by several components
    is a channel in the graph (`bus:CELL`) and is drawn once, as its entry point (`entry:CELL`)."""
    if key not in lay.boxes and key.startswith("bus:"):
        return "entry:" + key.removeprefix("bus:")
    return key


def _hop(lay: Layout, number: int, source: str, target: str) -> tuple[str, str]:
    """The highlighted hop (a thick red arrow) and its numbered badge (empty for the attacker's hop)."""
    source, target = _drawn(lay, source), _drawn(lay, target)
    b = lay.boxes[target]
    head = f'class="hop" data-hop="{number}" data-source="{_attr(source)}" data-target="{_attr(target)}"'
    style = f'fill="none" stroke="{RED}" stroke-width="3.5" stroke-linecap="round"'
    if source not in lay.boxes:  # the attacker
        ax, ay = lay.attacker
        d = _curve((ax + 16, ay), b, cut_end=ARROW - 1)
        return f'<path {head} d="{d}" {style}/>' + _arrow(b, from_left=True), ""
    a = lay.boxes[source]
    forward = a.x <= b.x
    d = _curve(a, b, cut_end=ARROW - 1) if forward else _curve(b, a, cut_start=ARROW - 1)
    left, right = (a, b) if forward else (b, a)
    mx, my = (left.right + right.x) / 2, (left.cy + right.cy) / 2
    if right.x < left.right:  # same column: the loop's outermost point
        mx = max(left.right, right.right) + 30
    badge = (
        f'<circle cx="{_n(mx)}" cy="{_n(my)}" r="9.5" fill="{RED}" stroke="#FFFFFF" stroke-width="1.5"/>'
        + _text(mx, my + 3.8, str(number), 11, "#FFFFFF", bold=True)
    )
    return f'<path {head} d="{d}" {style}/>' + _arrow(b, from_left=forward), badge


def _path(figure: Drawing, lay: Layout, base: str) -> str:
    index = {n.key: i for i, n in enumerate(figure.architecture.nodes)}
    lines, badges, nodes = [], [], []
    for number, (source, target) in enumerate(figure.path):
        line, badge = _hop(lay, number, source, target)
        lines.append(line)
        badges.append(badge)
    for key in dict.fromkeys(_drawn(lay, t) for _, t in figure.path):
        box = lay.boxes[key]
        nodes.append(
            f'<use href="#{base}-n{index[key]}"/><rect x="{_n(box.x - 3.5)}" y="{_n(box.y - 3.5)}" '
            f'width="{_n(box.w + 7)}" height="{_n(box.h + 7)}" rx="9" fill="none" stroke="{RED}" '
            'stroke-width="2.5"/>'
        )
    return "".join(["<g>", *lines, *nodes, *badges, _attacker(lay, RED), "</g>"])


def _role(figure: Drawing) -> str:
    """A picture, or with links a group whose links assistive technology can reach (an image's cannot)."""
    return f'role="group" aria-label="{_attr(figure.title)}"' if figure.links else 'role="img"'


def figure_svg(figure: Drawing, base: str, *, draw_base: bool) -> str:
    """The SVG of `figure`; its architecture is drawn as group `base`, or reused if `draw_base` is false."""
    lay = layout(figure.architecture)
    if draw_base:
        drawing = _base(figure.architecture, lay, base, dict(figure.links))
        if figure.path:
            drawing = f'<g opacity="{DIM}">{drawing}</g>'
    else:
        drawing = f'<use href="#{base}"' + (f' opacity="{DIM}"/>' if figure.path else "/>")
    overlay = _path(figure, lay, base) if figure.path else ""
    return (
        f'<svg viewBox="0 0 {_n(lay.width)} {_n(lay.height)}" width="{_n(lay.width)}" '
        f'height="{_n(lay.height)}" font-family="{_attr(FONT)}" {_role(figure)}>'
        f"<title>{escape(figure.title)}</title>{drawing}{overlay}</svg>"
    )


def shared_svgs(figures: Sequence[Figure]) -> Mapping[str, str]:
    """The SVG of each figure by key, in document order, to inline in one HTML page: each architecture is
    drawn in full only once, later pictures of it reuse it. Other pictures are drawn as they are."""
    drawn: dict[Architecture, str] = {}
    svgs: dict[str, str] = {}
    for figure in figures:
        picture = figure.picture
        if not isinstance(picture, Drawing):
            svgs[figure.key] = picture.svg()
            continue
        base = drawn.get(picture.architecture)
        first = base is None
        if base is None:
            base = drawn[picture.architecture] = f"arch{len(drawn) + 1}"
        svgs[figure.key] = figure_svg(picture, base, draw_base=first)
    return svgs
