"""What a producer adds to the generic layout of its documents. Every hook has a generic default, so a
document renders without a theme; a producer whose files have a shape of their own (the TARA report keeps
its front matter byte for byte) supplies the parts that differ.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from opencsms.engine.documents.model import Document, Figure


@dataclass(frozen=True)
class Theme:
    """Hooks per format; each is optional.

    HTML: `templates` names a package whose `templates` folder holds the producer's pages, which may extend
    `document.html` (and its stylesheet `document.css`); `template` is the page to render and `context`
    gives it more variables. `pictures` draws the inline SVG of the figures, by key (a producer may share
    one drawing between figures; by default each figure draws its own picture).
    Markdown: `head` gives the lines above the contents (the title, a line about the document).
    XLSX: `sheet_head` gives the first sheet's title and the lines under it; sheets are sorted by
    `sheet_ranks` of their section's id (1 when not named), then in document order.
    """

    templates: str | None = None
    template: str = "document.html"
    context: Callable[[Document], Mapping[str, object]] | None = None
    pictures: Callable[[Sequence[Figure]], Mapping[str, str]] | None = None
    head: Callable[[Document], list[str]] | None = None
    sheet_head: Callable[[Document], list[str]] | None = None
    sheet_ranks: Mapping[str, int] = field(default_factory=dict)


PLAIN = Theme()
