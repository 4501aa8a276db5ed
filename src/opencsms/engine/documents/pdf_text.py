"""Text for the PDF: the PDF's standard fonts (Helvetica) hold Latin-1 only, so other characters are written
the way one would type them (an arrow as `->`, a dash as `-`), letters with marks added by Unicode as the
letter alone, and anything else as `?`. The standard fonts are not embedded, which keeps the file small
and the same on every machine; a font file of our own would be needed for other scripts.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

_TYPED = {
    "\u2192": "->",
    "\u2190": "<-",
    "\u2194": "<->",
    "\u21d2": "=>",
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2212": "-",
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": ",",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u2026": "...",
    "\u2022": "*",
    "\u2264": "<=",
    "\u2265": ">=",
    "\u2260": "!=",
    "\u2248": "~",
    "\u2002": " ",
    "\u2003": " ",
    "\u2009": " ",
    "\u200b": "",
    "\u2514": "'-",
    "\u2122": "(TM)",
    "\u20ac": "EUR",
}
_OUTSIDE = re.compile(r"[^\x00-\xff]")


@cache
def _latin1(char: str) -> str:
    if char in _TYPED:
        return _TYPED[char]
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    return base if base and not _OUTSIDE.search(base) else "?"


def latin1(text: str) -> str:
    """`text` in the characters the standard PDF fonts have (Latin-1)."""
    return _OUTSIDE.sub(lambda m: _latin1(m.group()), text)
