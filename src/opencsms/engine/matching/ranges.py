"""Is a version inside an advisory's ranges? OSV's event semantics in each ecosystem's order (21434 8.5).

The algorithm of the OSV schema: events sorted by version (introduced "0" first); `introduced` (and NVD's
`introduced_after`) switch to affected, `fixed` at or above and `last_affected` strictly above switch back;
`limit` events cap the whole range. GIT ranges order commits, not versions: they return None (unknown).
"""

from __future__ import annotations

from typing import Any

from opencsms.engine.advisories.model import Affected, Event, Range, RangeKind
from opencsms.engine.versions import version_key


def ordering_for(affected: Affected, kind: RangeKind) -> str:
    """The purl type whose order a range uses: SEMVER ranges use SemVer (npm's), CPEs the generic order."""
    if kind is RangeKind.SEMVER:
        return "npm"
    return "generic" if affected.purl_type == "cpe" else affected.purl_type


def _affected_at(key: Any, event: Event, order: str) -> bool | None:
    """The new state after `event` for a version with sort key `key` (None: state unchanged)."""
    if event.kind == "introduced":
        return True if event.version == "0" or key >= version_key(order, event.version) else None
    if event.kind == "introduced_after":
        return True if key > version_key(order, event.version) else None
    if event.kind == "fixed":
        return False if key >= version_key(order, event.version) else None
    if event.kind == "last_affected":
        return False if key > version_key(order, event.version) else None
    return None


def in_range(rng: Range, order: str, version: str) -> bool | None:
    """True/False when `version` is/is not inside `rng`; None for GIT ranges (commits, not versions)."""
    if rng.kind is RangeKind.GIT:
        return None
    key = version_key(order, version)
    zeros = [e for e in rng.events if e.kind == "introduced" and e.version == "0"]
    others = [e for e in rng.events if e not in zeros and e.kind != "limit"]
    try:
        ordered = zeros + sorted(others, key=lambda e: version_key(order, e.version))
        affected = False
        for event in ordered:
            state = _affected_at(key, event, order)
            affected = affected if state is None else state
        limits = [version_key(order, e.version) for e in rng.events if e.kind == "limit" and e.version != "*"]
        return affected and (not limits or any(key < limit for limit in limits))
    except TypeError:  # keys of different shapes (an unparsable version): not comparable, so unknown
        return None


def describe(rng: Range) -> str:
    """A range as evidence text: 'ECOSYSTEM introduced 1.0, fixed 1.2'."""
    events = ", ".join(f"{e.kind} {e.version}" for e in rng.events)
    return f"{rng.kind.value} {events}" + (f" ({rng.repo})" if rng.repo else "")
