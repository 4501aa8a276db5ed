"""A document as one self-contained HTML file (inline CSS and SVG, no scripts), rendered with Jinja2."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache

from jinja2 import BaseLoader, ChoiceLoader, Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from opencsms.engine.documents.model import Document, Figure, HeatMap, Table, display
from opencsms.engine.documents.palette import HEADER, ZEBRA
from opencsms.engine.documents.theme import PLAIN, Theme

_OWN = "opencsms.engine.documents"


@cache
def _environment(package: str | None) -> Environment:
    """The templates of `package` (a producer's pages) in front of the document's own."""
    own = PackageLoader(_OWN, "templates")
    loader: BaseLoader = ChoiceLoader([PackageLoader(package, "templates"), own]) if package else own
    env = Environment(
        loader=loader,
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["text"] = display
    return env


def anchors(document: Document) -> dict[str, str]:
    """Element id -> key of the table that defines it (its first column is the id), for cross-links."""
    found: dict[str, str] = {}
    for section in document.sections:
        for block in section.blocks:
            if isinstance(block, Table) and block.columns and block.columns[0].key == "id":
                for row in block.rows:
                    found.setdefault(str(row[0]), block.key)
    return found


def figures(document: Document) -> tuple[Figure, ...]:
    return tuple(f for s in document.sections for f in s.figures)


def own_pictures(shown: Iterable[Figure]) -> dict[str, str]:
    """Each figure's picture drawn on its own."""
    return {figure.key: figure.picture.svg() for figure in shown}


def _inline(svgs: Mapping[str, str]) -> dict[str, Markup]:
    """Pictures build their markup from escaped parts (model text in them is escaped)."""
    return {key: Markup(svg) for key, svg in svgs.items()}  # noqa: S704 - built from escaped parts


def render_html(document: Document, theme: Theme = PLAIN) -> bytes:
    draw = theme.pictures or own_pictures
    heat_maps = [b for s in document.sections for b in s.blocks if isinstance(b, HeatMap)]
    badges = {b.kind: b for b in document.badges}
    context: dict[str, object] = {
        "document": document,
        "anchors": anchors(document),
        "badges": badges,
        "centred": {"number", *(b.kind for b in document.badges if b.numeric)},
        "figures": _inline(draw(figures(document))),
        "heat_values": tuple(dict.fromkeys(m.value for m in heat_maps)),
        "header": HEADER,
        "zebra": ZEBRA,
    }
    if theme.context is not None:
        context.update(theme.context(document))
    html = _environment(theme.templates).get_template(theme.template).render(context)
    return html.encode()
