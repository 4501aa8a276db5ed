"""Version range specifiers of CSAF 2.0 `product_version_range` (ISO/SAE 21434 clause 8.4) to range events.

CSAF 2.0 section 3.1.2.3.2.1 ("product_version_range") says the value is either a `vers` range
(`vers:<scheme>/<constraints>`) or, failing that, a "vers-like specifier" (vls): the same constraints
without the `vers:<scheme>/` prefix. The `vers` specification (package-url/vers-spec) defines:

- constraints separated by `|`; each is an optional comparator (`=`, `!=`, `<`, `<=`, `>`, `>=`) and a
  version (no comparator means `=`); `*` alone means every version;
- the constraints in version order form intervals: a lower bound (`>`, `>=`) is closed by the next upper
  bound (`<`, `<=`); an upper bound with no lower bound before it starts at the first version; a lower bound
  with no upper bound after it is open-ended; `=` constraints are single versions.

Real documents (CISA's CSAF files) also write the separators differently, and these are read too:
`>=A<B` (no separator), `>= A, < B` and `> A and < B`, `A | B` (a list of versions), a leading "All
versions" ("All versions" alone is every version, "All versions < V4.2 HF1" the bound); versions may hold
spaces as vendors write them ('V7.3 Update 15'). A bare version is that version. What cannot be read this
way (`!=`, prose such as "2.9 and later", two lower bounds in a row) is returned as a problem; the caller
must not widen it to "every version".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from opencsms.engine.advisories.model import Event

_COMPARATOR = re.compile(r"(>=|<=|!=|>|<|=)")
_VERSION = re.compile(
    r"^[A-Za-z0-9][A-Za-z0-9.+_~:() -]*$"
)  # vendors' versions: 'V4.2 HF1', 'V7.3 Update 15'
_ALL = re.compile(r"^all(\s+versions?)?\b", re.IGNORECASE)
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_LOWER = {">=": "introduced", ">": "introduced_after"}
_UPPER = {"<": "fixed", "<=": "last_affected"}


@dataclass(frozen=True, slots=True)
class VersionSpec:
    """What a range specifier says: intervals (each a list of events), single versions, every version
    (`everything`), or why it cannot be read (`problem`)."""

    intervals: tuple[tuple[Event, ...], ...] = ()
    versions: tuple[str, ...] = ()
    everything: bool = False
    problem: str = ""


def _version(text: str) -> str | None:
    text = text.strip()
    return text if _VERSION.match(text) and any(c.isdigit() for c in text) else None


def _constraints(text: str) -> list[tuple[str, str]] | None:
    """(comparator, version) pairs of `text`, or None when something in it is neither."""
    pairs: list[tuple[str, str]] = []
    for part in (p.strip() for p in re.split(r"[|,]", _AND.sub("|", text))):
        if not part:
            continue
        head, *rest = _COMPARATOR.split(part)
        if not rest:  # no comparator: one version
            rest = ["=", head]
        elif head.strip():
            return None
        for comparator, given in zip(rest[::2], rest[1::2], strict=True):
            version = _version(given)
            if version is None:
                return None
            pairs.append((comparator, version))
    return pairs


def _intervals(pairs: list[tuple[str, str]]) -> VersionSpec:
    """Pair lower bounds with the next upper bound (vers: constraints in order form intervals)."""
    intervals: list[tuple[Event, ...]] = []
    versions: list[str] = []
    lower: Event | None = None
    for comparator, version in pairs:
        if comparator == "!=":
            return VersionSpec(problem=f"'!={version}' (an excluded version) is not supported")
        if comparator == "=":
            versions.append(version)
        elif comparator in _LOWER:
            if lower is not None:
                return VersionSpec(problem=f"two lower bounds in a row ({lower.version}, {version})")
            lower = Event(_LOWER[comparator], version)
        else:
            start = lower or Event("introduced", "0")
            intervals.append((start, Event(_UPPER[comparator], version)))
            lower = None
    if lower is not None:
        intervals.append((lower,))
    return VersionSpec(tuple(intervals), tuple(versions))


def parse_range(text: str) -> VersionSpec:
    """A CSAF `product_version_range` (vers or vls) as intervals and versions; `problem` when unreadable."""
    text = text.strip()
    body = text
    if text.lower().startswith("vers:"):
        scheme, slash, body = text[5:].partition("/")
        if not slash or not scheme or not body.strip():
            return VersionSpec(problem=f"{text!r} is not a vers range (vers:<scheme>/<constraints>)")
    else:  # vls as vendors write it: 'All versions', 'All versions < V4.2 HF1'
        body = _ALL.sub("", body).strip() or "*"
    if body.strip() == "*":
        return VersionSpec(everything=True)
    pairs = _constraints(body)
    if not pairs:
        return VersionSpec(problem=f"{text!r} is neither a vers range nor a list of version constraints")
    spec = _intervals(pairs)
    if spec.problem:
        return VersionSpec(problem=f"{text!r}: {spec.problem}")
    return spec
