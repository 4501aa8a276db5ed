"""What changed between two revisions of a release's SBOM (ISO/SAE 21434 8.3: the item's components are
monitored as they change; R155 7.2.2.2(g)).

A component's identity is its package (the purl without version, qualifiers and subpath, normalised as for
matching: `purl_parts`) and its name; without a purl, its name alone. Two components are the same when
identity and version are equal: they are *kept* (the findings on them stay). A version change makes a new
component: the old one is *removed* and the new one *added*, and the pair is also reported as *changed*
(same package, other version), so a reader sees an upgrade rather than an unrelated removal. Duplicates
(the same identity and version twice) pair up in order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from opencsms.engine.sbom.identifiers import purl_parts
from opencsms.engine.sbom.model import Component

Identity = tuple[str, str, str, str]  # purl type, namespace, name; the component's name
Old = TypeVar("Old")


def identity(component: Component) -> Identity:
    """The package a component is, whatever its version (see the module)."""
    kind, namespace, name, _ = purl_parts(component.purl) if component.purl else ("", "", "", "")
    return (kind, namespace, name, component.name.strip().lower())


def version(component: Component) -> str:
    """The component's version: its own, else its purl's."""
    return component.version.strip() or (purl_parts(component.purl)[3] if component.purl else "")


@dataclass(frozen=True)
class SbomDiff(Generic[Old]):
    """Old components (of any type: rows, engine values) against the new SBOM's components.

    `kept`: (old, new) pairs of the same component; `added`: new components (new packages and new
    versions); `removed`: old components that left (old packages and old versions); `changed`:
    (old, new) pairs of one package whose version changed (each also in `removed` and `added`)."""

    kept: tuple[tuple[Old, Component], ...]
    added: tuple[Component, ...]
    removed: tuple[Old, ...]
    changed: tuple[tuple[Old, Component], ...]

    def counts(self) -> dict[str, int]:
        return {
            "kept": len(self.kept),
            "added": len(self.added) - len(self.changed),
            "removed": len(self.removed) - len(self.changed),
            "changed": len(self.changed),
        }


def diff_components(old: Sequence[tuple[Old, Component]], new: Sequence[Component]) -> SbomDiff[Old]:
    """`old`: each old item with its engine component; `new`: the new SBOM's components, in order."""
    waiting: dict[tuple[Identity, str], list[Old]] = defaultdict(list)
    for item, component in old:
        waiting[(identity(component), version(component))].append(item)
    kept: list[tuple[Old, Component]] = []
    added: list[Component] = []
    for component in new:
        same = waiting.get((identity(component), version(component)))
        if same:
            kept.append((same.pop(0), component))
        else:
            added.append(component)
    kept_items = {id(item) for item, _ in kept}
    removed = [(item, component) for item, component in old if id(item) not in kept_items]
    by_package: dict[Identity, list[Old]] = defaultdict(list)
    for item, component in removed:
        by_package[identity(component)].append(item)
    changed: list[tuple[Old, Component]] = []
    for component in added:
        left = by_package.get(identity(component))
        if left:
            changed.append((left.pop(0), component))
    return SbomDiff(tuple(kept), tuple(added), tuple(item for item, _ in removed), tuple(changed))
