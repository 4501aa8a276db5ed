"""One component against one advisory's `Affected` entry: evidence, or nothing (ISO/SAE 21434 clause 8.5).

Components are keyed like advisories: by purl as (type, namespace, name), by CPE as ("cpe", vendor, product).
A purl is compared in its ecosystem's order; a CPE compares part, update, edition, language, software
edition, target software, target hardware and other when both sides name them, and versions generically.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from opencsms.engine.advisories.model import Advisory, Affected, RangeKind
from opencsms.engine.advisories.nvd import ANY
from opencsms.engine.matching.model import Evidence, MatchKind
from opencsms.engine.matching.ranges import describe, in_range, ordering_for
from opencsms.engine.sbom.identifiers import cpe_word, purl_parts, split_cpe
from opencsms.engine.sbom.model import Component
from opencsms.engine.versions import version_key

Key = tuple[str, str, str]
_CPE_QUALIFIERS = (2, 6, 7, 8, 9, 10, 11, 12)


def component_keys(component: Component) -> Iterator[tuple[Key, str]]:
    """(index key, version) under which a component is matched: its purl and its CPE, or, with neither,
    its supplier and name spelled as a CPE vendor and product (met only by advisories that name products
    the same way, i.e. CSAF product trees without identifiers: evidence kind 'name')."""
    if component.purl:
        kind, namespace, name, version = purl_parts(component.purl)
        if kind:
            yield (kind, namespace, name), version or component.version
    if component.cpe:
        fields = split_cpe(component.cpe)
        version = fields[5] if fields[5] not in ANY else component.version
        yield ("cpe", fields[3], fields[4]), version
    if not component.purl and not component.cpe and component.supplier and component.name:
        yield ("cpe", cpe_word(component.supplier), cpe_word(component.name)), component.version


def _cpe_compatible(pattern: str, cpe: str) -> bool:
    if not pattern or not cpe:
        return True
    ours, theirs = split_cpe(cpe), split_cpe(pattern)
    return all(theirs[i] in ANY or ours[i] in ANY or theirs[i] == ours[i] for i in _CPE_QUALIFIERS)


def same_distribution_release(ecosystem: str, purl: str) -> bool:
    """False only when both name a distribution release and they differ ('Debian:11' vs distro=debian-12).

    OSV names the release in the ecosystem ('Debian:11', 'Alpine:v3.17', 'Ubuntu:22.04:LTS'); SBOM
    generators put it in the purl's `distro` qualifier ('debian-11', 'alpine-3.17.1', 'ubuntu-22.04').
    """
    parts = ecosystem.split(":")
    if len(parts) < 2 or "distro=" not in purl:
        return True
    release = parts[1].strip().lower().removeprefix("v")
    distro = purl.split("distro=", 1)[1].split("&", 1)[0].lower()
    numbers = re.findall(r"\d+(?:\.\d+)*", distro)
    if not release or not numbers:
        return True
    return numbers[0] == release or numbers[0].startswith(f"{release}.") or release in distro.split("-")


def _listed(affected: Affected, order: str, version: str) -> bool:
    if version in affected.versions:
        return True
    key = version_key(order, version)
    try:
        return any(key == version_key(order, v) for v in affected.versions)
    except TypeError:
        return False


def applicable(component: Component, version: str, affected: Affected) -> bool:
    """Can `affected` concern this component at all: a version to compare, CPE qualifiers and distribution
    release compatible?"""
    if not version:
        return False
    if affected.purl_type == "cpe" and not _cpe_compatible(affected.cpe, component.cpe):
        return False
    return not affected.ecosystem or same_distribution_release(affected.ecosystem, component.purl)


def compare(component: Component, version: str, advisory: Advisory, affected: Affected) -> Evidence | None:
    """Evidence that `component` at `version` is inside `affected`, or None."""
    if not applicable(component, version, affected):
        return None
    identifier = component.purl if affected.purl_type != "cpe" else (component.cpe or component.name)
    kind = MatchKind.CPE if affected.purl_type == "cpe" else MatchKind.RANGE
    if affected.condition == "matched by name":
        kind = MatchKind.NAME

    def evidence(found: MatchKind, detail: str) -> Evidence:
        return Evidence(advisory.id, advisory.origin, found, identifier, detail, affected.condition)

    if affected.versions and _listed(affected, ordering_for(affected, RangeKind.ECOSYSTEM), version):
        listed = MatchKind.VERSION_LIST if kind is MatchKind.RANGE else kind
        return evidence(listed, f"version {version} is listed as affected")
    git = None
    for rng in affected.ranges:
        inside = in_range(rng, ordering_for(affected, rng.kind), version)
        if inside:
            return evidence(kind, f"{version} in {describe(rng)}")
        if inside is None and rng.kind is RangeKind.GIT and not affected.versions:
            git = rng
    if git is not None:
        detail = f"{describe(git)}: commits cannot be compared with version {version}"
        return evidence(MatchKind.GIT_UNVERIFIED, detail)
    return None
