"""Alpine's apk version order, as apk-tools compares versions (univers gets ~100 OSV vectors wrong).

A version is read as tokens: digits ('.'-separated; leading zeros compare as fractions), one letter,
`_suffix[number]` (pre-release alpha < beta < pre < rc, then post-release cvs < svn < git < hg < p) and
`-r<revision>`. Two versions are compared token by token; when one runs out first, the longer one is
greater unless what follows is a pre-release suffix. ISO/SAE 21434 clause 8.5: Alpine is the base of many
embedded and container images.
"""

from __future__ import annotations

from functools import cmp_to_key
from typing import Any

INVALID, DIGIT_OR_ZERO, DIGIT, LETTER, SUFFIX, SUFFIX_NO, REVISION_NO, END = -1, 0, 1, 2, 3, 4, 5, 6
PRE = ("alpha", "beta", "pre", "rc")
POST = ("cvs", "svn", "git", "hg", "p")
_ALLOWED_BACKWARDS = {(DIGIT_OR_ZERO, DIGIT), (SUFFIX, SUFFIX_NO), (DIGIT, LETTER)}


class _Reader:
    """A cursor over one version string, yielding (token type, value) like apk-tools' get_token."""

    def __init__(self, text: str) -> None:
        self.text, self.at, self.kind = text, 0, DIGIT

    def _next_type(self) -> None:
        text, at, kind = self.text, self.at, self.kind
        if at >= len(text):
            new = END
        elif kind in (DIGIT, DIGIT_OR_ZERO) and text[at].islower():
            new = LETTER
        elif kind == LETTER and text[at].isdigit():
            new = DIGIT
        elif kind == SUFFIX and text[at].isdigit():
            new = SUFFIX_NO
        else:
            new = {".": DIGIT_OR_ZERO, "_": SUFFIX}.get(text[at], INVALID)
            if text[at] == "-" and text[at + 1 : at + 2] == "r":
                new, at = REVISION_NO, at + 1
            at += 1
        if new < kind and (new, kind) not in _ALLOWED_BACKWARDS:
            new = INVALID
        self.at, self.kind = at, new

    def _suffix(self) -> tuple[int, int]:
        rest = self.text[self.at :]
        for number, name in enumerate(PRE):
            if rest.startswith(name):
                return number - len(PRE), len(name)
        for number, name in enumerate(POST):
            if rest.startswith(name):
                return number, len(name)
        return 0, -1

    def _value(self) -> tuple[int, int, int | None]:
        """(value, characters used, token type that follows when forced) of the token at the cursor."""
        text, at, kind = self.text, self.at, self.kind
        if kind == DIGIT_OR_ZERO and text[at] == "0":  # a leading zero after a dot: a fraction (1.01 < 1.1)
            zeros = 0
            while at + zeros + 1 < len(text) and text[at + zeros + 1] == "0":
                zeros += 1
            return -zeros, zeros, DIGIT
        if kind in (DIGIT_OR_ZERO, DIGIT, SUFFIX_NO, REVISION_NO):
            digits = len(text[at:]) - len(text[at:].lstrip("0123456789"))
            return int(text[at : at + digits] or 0), digits, None
        if kind == LETTER:
            return ord(text[at]), 1, None
        if kind == SUFFIX:
            value, used = self._suffix()
            return value, used, None
        return 0, -1, None

    def token(self) -> int:
        """The value of the next token; `self.kind` becomes the type of the one after it."""
        if self.at >= len(self.text):
            self.kind = END
            return 0
        value, used, forced = self._value()
        if used < 0:
            self.kind = INVALID
            return -1
        self.at += used
        if self.at >= len(self.text):
            self.kind = END
        elif forced is not None:
            self.kind = forced
        else:
            self._next_type()
        return value


def compare(a: str, b: str) -> int:
    """-1, 0 or 1 as apk-tools orders `a` and `b`."""
    left, right = _Reader(a.strip()), _Reader(b.strip())
    av = bv = 0
    while left.kind == right.kind and left.kind not in (END, INVALID) and av == bv:
        av, bv = left.token(), right.token()
    if av != bv:
        return -1 if av < bv else 1
    if left.kind == right.kind:
        return 0
    for reader, sign in ((left, -1), (right, 1)):
        if reader.kind == SUFFIX and _copy(reader).token() < 0:
            return sign
    return -1 if left.kind > right.kind else 1


def _copy(reader: _Reader) -> _Reader:
    twin = _Reader(reader.text)
    twin.at, twin.kind = reader.at, reader.kind
    return twin


_KEY = cmp_to_key(compare)


def apk_key(version: str) -> Any:
    """A sort key in apk's order."""
    return _KEY(version)
