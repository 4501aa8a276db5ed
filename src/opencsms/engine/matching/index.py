"""Indexes for matching (ISO/SAE 21434 clause 8.5; R155 7.2.2.2(g): monitoring across the fleet).

- `AdvisoryIndex`: advisories keyed by (type, namespace, name); `match(sbom, advisories)` looks each
  component up in it, so a scan costs one dictionary lookup per component plus the hits.
- `PortfolioIndex`: the inverse, components of many releases keyed the same way. `match_advisory(adv)`
  evaluates one new advisory against only the components it names, without rescanning the portfolio;
  `match_all(index)` re-matches everything.
Withdrawn advisories never match.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace

from opencsms.engine.advisories.model import Advisory, Affected, Severity
from opencsms.engine.matching.compare import Key, advisory_keys, compare, component_keys
from opencsms.engine.matching.merge import findings_for
from opencsms.engine.matching.model import Evidence, Finding
from opencsms.engine.sbom.model import Component, Sbom


class AdvisoryIndex:
    """Advisories keyed by package, for scanning SBOMs."""

    def __init__(self, advisories: Iterable[Advisory] = ()) -> None:
        self.entries: dict[Key, list[tuple[Advisory, Affected]]] = defaultdict(list)
        self.by_id: dict[str, list[Advisory]] = defaultdict(list)
        self.count = 0
        for advisory in advisories:
            self.add(advisory)

    def add(self, advisory: Advisory) -> None:
        """Index one advisory under every package it names (withdrawn ones are left out)."""
        if advisory.withdrawn:
            return
        self.count += 1
        for identifier in advisory.ids:
            self.by_id[identifier].append(advisory)
        for affected in advisory.affected:
            if affected.name:
                for key in advisory_keys(affected):
                    self.entries[key].append((advisory, affected))

    def candidates(self, key: Key) -> list[tuple[Advisory, Affected]]:
        """The (advisory, affected entry) pairs filed under `key`."""
        return self.entries.get(key, [])

    def lend_scores(self, advisories: Iterable[Advisory]) -> None:
        """Know advisories for their CVSS only (`severities`), without matching them: the scored records
        (GHSA, NVD) of vulnerabilities whose matched record has no score."""
        for advisory in advisories:
            if advisory.severities and not advisory.withdrawn:
                for identifier in advisory.ids:
                    self.by_id[identifier].append(advisory)

    def severities(self, ids: frozenset[str]) -> tuple[tuple[str, Severity], ...]:
        """(advisory id, CVSS vector) of every known advisory that has one of `ids` as id or alias."""
        found = {id(a): a for i in ids for a in self.by_id.get(i, ())}
        return tuple((a.id, s) for a in found.values() for s in a.severities)


def _component_hits(component: Component, index: AdvisoryIndex) -> list[tuple[Advisory, Evidence]]:
    hits: dict[tuple[str, str], tuple[Advisory, Evidence]] = {}
    for key, version in component_keys(component):
        for advisory, affected in index.candidates(key):
            if (advisory.origin, advisory.id) in hits:
                continue
            evidence = compare(component, version, advisory, affected)
            if evidence is not None:
                hits[(advisory.origin, advisory.id)] = (advisory, evidence)
    return list(hits.values())


Memo = dict[Component, list[Finding]]


def _component_findings(
    component: Component, index: AdvisoryIndex, release: str, memo: Memo | None
) -> list[Finding]:
    if memo is None:
        hits = _component_hits(component, index)
        return findings_for(component, hits, release, index.severities) if hits else []
    found = memo.get(component)
    if found is None:
        hits = _component_hits(component, index)
        found = memo[component] = findings_for(component, hits, "", index.severities) if hits else []
    return [replace(finding, release=release) for finding in found] if release else found


def match(
    sbom: Sbom, advisories: AdvisoryIndex | Iterable[Advisory], release: str = "", memo: Memo | None = None
) -> list[Finding]:
    """Every finding of an SBOM: components matched by purl and CPE, aliases merged, evidence kept.
    `memo` (a dict kept by the caller while `advisories` stay the same) remembers each distinct
    component's findings: a portfolio of releases built from the same packages matches each once."""
    index = advisories if isinstance(advisories, AdvisoryIndex) else AdvisoryIndex(advisories)
    findings = []
    seen: set[tuple[str, str, str]] = set()
    for component in sbom.components:
        identity = (component.ref, component.purl, component.cpe)
        if identity in seen:
            continue
        seen.add(identity)
        findings.extend(_component_findings(component, index, release, memo))
    return findings


class PortfolioIndex:
    """Components of many releases keyed by package: one new advisory is matched against its package only."""

    def __init__(self) -> None:
        self.by_key: dict[Key, list[tuple[str, Component, str]]] = defaultdict(list)
        self.releases: dict[str, Sbom] = {}

    def add_release(self, release: str, sbom: Sbom) -> None:
        """File every component of `sbom` under its keys (replacing an earlier SBOM of the same release)."""
        if release in self.releases:
            self.remove_release(release)
        self.releases[release] = sbom
        for component in sbom.components:
            for key, version in component_keys(component):
                self.by_key[key].append((release, component, version))

    def remove_release(self, release: str) -> None:
        """Forget a release and its components."""
        sbom = self.releases.pop(release, None)
        if sbom is None:
            return
        for component in sbom.components:
            for key, _ in component_keys(component):
                self.by_key[key] = [entry for entry in self.by_key[key] if entry[0] != release]

    def match_advisory(self, advisory: Advisory, known: AdvisoryIndex | None = None) -> list[Finding]:
        """The findings one advisory causes across the portfolio (one per release and component); `known`
        advisories lend their CVSS vectors when this one has none and shares an id with them."""
        if advisory.withdrawn:
            return []
        hits: dict[tuple[str, str], tuple[Component, Evidence]] = {}
        for affected in advisory.affected:
            for key in advisory_keys(affected):
                for release, component, version in self.by_key.get(key, ()):
                    if (release, component.ref) in hits:
                        continue
                    evidence = compare(component, version, advisory, affected)
                    if evidence is not None:
                        hits[(release, component.ref)] = (component, evidence)
        return [
            finding
            for (release, _), (component, evidence) in sorted(hits.items())
            for finding in findings_for(
                component, [(advisory, evidence)], release, known.severities if known else None
            )
        ]

    def match_all(self, index: AdvisoryIndex) -> dict[str, list[Finding]]:
        """Re-match every release against every advisory (the full, periodic run)."""
        return {release: match(sbom, index, release) for release, sbom in self.releases.items()}
