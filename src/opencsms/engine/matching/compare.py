"""One component against one advisory's `Affected` entry: evidence, or nothing (ISO/SAE 21434 clause 8.5).

Components are keyed like advisories: by purl as (type, namespace, name), by CPE as ("cpe", vendor, product).
A purl is compared in its ecosystem's order; a CPE by CPE 2.3 name matching (NISTIR 7696: every
attribute but the version must not be disjoint, ANY `*` matching anything, NA `-` only NA), its version
generically. Every CPE of a component is tried.
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
_CPE_ATTRIBUTES = (2, 3, 4, 6, 7, 8, 9, 10, 11, 12)  # every attribute but the version (ranges compare it)
_LOGICAL_ANY = frozenset({"*", ""})
_NA = "-"


def _cpe_version(fields: list[str], component: Component) -> str:
    """The version a CPE names, else (ANY or NA) the component's version."""
    return fields[5] if fields[5] not in ANY else component.version


def component_keys(component: Component) -> Iterator[tuple[Key, str]]:
    """(index key, version) under which a component is matched: its purl and every CPE it has, or, with
    neither, its supplier and name spelled as a CPE vendor and product (met only by advisories that name
    products the same way, i.e. CSAF product trees without identifiers: evidence kind 'name'). A CPE
    whose vendor is ANY (Yocto writes `cpe:2.3:*:*:xz:5.6.0:...`) is keyed ("cpe", "*", product), where
    every advisory of that product is filed too (`advisory_keys`)."""
    if component.purl:
        kind, namespace, name, version = purl_parts(component.purl)
        if kind:
            yield (kind, namespace, name), version or component.version
    for cpe in component.cpes:
        fields = split_cpe(cpe)
        vendor = "*" if fields[3] in _LOGICAL_ANY else fields[3]
        yield ("cpe", vendor, fields[4]), _cpe_version(fields, component)
    if not component.purl and not component.cpes and component.supplier and component.name:
        yield ("cpe", cpe_word(component.supplier), cpe_word(component.name)), component.version


def advisory_keys(affected: Affected) -> tuple[Key, ...]:
    """Index keys of an advisory's entry: its package, and for a CPE naming a vendor also ("cpe", "*",
    product), where components whose CPE vendor is ANY look (NISTIR 7696: ANY is a superset of every
    value)."""
    if affected.purl_type == "cpe" and affected.cpe and affected.namespace not in ANY:
        return (affected.key, ("cpe", "*", affected.name))
    return (affected.key,)


def _wildcard(value: str) -> re.Pattern[str]:
    """A CPE attribute value with unquoted `*` / `?` wildcards as a pattern (NISTIR 7695 6.1.3.2)."""
    parts = re.split(r"(?<!\\)([*?])", value)
    return re.compile("".join(".*" if p == "*" else "." if p == "?" else re.escape(p) for p in parts))


def attribute_disjoint(source: str, target: str) -> bool:
    """NISTIR 7696 Table 6-2 for one attribute: DISJOINT, or not (EQUAL, SUPERSET or SUBSET)?

    ANY (`*`) on either side is a superset or subset of anything; NA (`-`) equals only NA and is disjoint
    from every value; two values are equal, or disjoint (a source value with wildcards matches what its
    pattern matches)."""
    if source in _LOGICAL_ANY or target in _LOGICAL_ANY:
        return False
    if _NA in (source, target):
        return source != target
    if re.search(r"(?<!\\)[*?]", source):
        return _wildcard(source).fullmatch(target) is None
    return source != target


def cpe_disjoint(pattern: str, cpe: str) -> bool:
    """NISTIR 7696 6.2 CPE_DISJOINT over every attribute but the version: a component CPE (target)
    matches an advisory's CPE (source) when no attribute is disjoint."""
    source, target = split_cpe(pattern), split_cpe(cpe)
    return any(attribute_disjoint(source[i], target[i]) for i in _CPE_ATTRIBUTES)


def matching_cpe(pattern: str, component: Component) -> str | None:
    """The component's first CPE that `pattern` can name (`cpe_disjoint`), "" when either side has none
    (name evidence), None when every CPE of the component is disjoint from it."""
    if not pattern or not component.cpes:
        return ""
    return next((cpe for cpe in component.cpes if not cpe_disjoint(pattern, cpe)), None)


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
    if affected.purl_type == "cpe" and matching_cpe(affected.cpe, component) is None:
        return False
    return not affected.ecosystem or same_distribution_release(affected.ecosystem, component.purl)


def compare(component: Component, version: str, advisory: Advisory, affected: Affected) -> Evidence | None:
    """Evidence that `component` at `version` is inside `affected`, or None."""
    if not applicable(component, version, affected):
        return None
    cpe = matching_cpe(affected.cpe, component) if affected.purl_type == "cpe" else ""
    identifier = component.purl if affected.purl_type != "cpe" else (cpe or component.cpe or component.name)
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
