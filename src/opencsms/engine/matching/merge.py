"""Merge the advisories that matched one component into findings, one per vulnerability (21434 8.5).

Advisories whose ids or aliases overlap (GO-2022-0001, GHSA-xxxx and CVE-2022-1234) are one vulnerability:
their evidence is kept side by side, the finding's id is the CVE id when there is one, and its severity is
the worst of their CVSS scores.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Protocol, TypeVar

from opencsms.engine.advisories.model import Advisory, EpssScore, KevEntry, Severity
from opencsms.engine.matching.model import Evidence, Finding
from opencsms.engine.matching.scoring import best_alias, worst
from opencsms.engine.sbom.model import Component


def _groups(advisories: list[Advisory]) -> list[list[int]]:
    """Indices of advisories grouped by shared ids (union-find)."""
    parent = list(range(len(advisories)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for index, advisory in enumerate(advisories):
        for identifier in advisory.ids:
            if identifier in owner:
                parent[root(index)] = root(owner[identifier])
            else:
                owner[identifier] = index
    groups: dict[int, list[int]] = {}
    for index in range(len(advisories)):
        groups.setdefault(root(index), []).append(index)
    return list(groups.values())


def primary_id(ids: Iterable[str]) -> str:
    """The id a merged finding is known by: the first CVE id, else the smallest id."""
    ordered = sorted(ids)
    return next((i for i in ordered if i.startswith("CVE-")), ordered[0])


def findings_for(
    component: Component,
    hits: list[tuple[Advisory, Evidence]],
    release: str = "",
    related: Callable[[frozenset[str]], tuple[tuple[str, Severity], ...]] | None = None,
) -> list[Finding]:
    """The findings of one component from its (advisory, evidence) hits, merged over aliases.

    When none of the matching advisories is scored (Go's vulndb publishes no CVSS), the highest-scored
    vector of the other advisories that share an id (the GHSA, NVD or CVE 5 record of the same CVE,
    `related`) is used, and the finding names it (`severity_from`).
    """
    advisories = [a for a, _ in hits]
    findings = []
    for group in _groups(advisories):
        members = [hits[i] for i in group]
        ids = frozenset().union(*(a.ids for a, _ in members))
        identifier = primary_id(ids)
        severities = tuple(s for a, _ in members for s in a.severities)
        score, label = worst(severities)
        source = ""
        if not severities and related is not None:
            lent = tuple(pair for pair in related(ids) if pair[0] not in {a.id for a, _ in members})
            score, label, source = best_alias(lent)
            severities = tuple(s for i, s in lent if i == source)
        findings.append(
            Finding(
                identifier,
                tuple(sorted(ids - {identifier})),
                component,
                tuple(e for _, e in members),
                label,
                score,
                tuple(dict.fromkeys(s.vector for s in severities)),
                tuple(dict.fromkeys(r for a, _ in members for r in a.remediations)),
                next((a.summary for a, _ in members if a.summary), ""),
                release,
                severity_from=source,
            )
        )
    return sorted(findings, key=lambda f: f.id)


def merged(kept: Finding, other: Finding, identifier: str = "") -> Finding:
    """Two findings of one component whose ids overlap as one (one vulnerability, 21434 8.5): known by
    `identifier` (a finding already triaged under a name keeps it), else by `primary_id` of all their
    ids; the evidence, vectors and remediations of both without repeats; the severity of the higher
    scored (`kept` on a tie); `kept`'s summary, else `other`'s. The one rule of a scan (`merge_findings`)
    and of the server, which folds new findings into stored ones."""
    ids = kept.ids | other.ids
    name = identifier or primary_id(ids)
    better = kept if (kept.score or 0) >= (other.score or 0) else other
    return replace(
        kept,
        id=name,
        aliases=tuple(sorted(ids - {name})),
        evidence=tuple(dict.fromkeys(kept.evidence + other.evidence)),
        severity=better.severity,
        score=better.score,
        severity_from=better.severity_from,
        vectors=tuple(dict.fromkeys(kept.vectors + other.vectors)),
        remediations=tuple(dict.fromkeys(kept.remediations + other.remediations)),
        summary=kept.summary or other.summary,
    )


def merge_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Findings of the same release and component that share an id become one (after incremental runs)."""
    by_component: dict[tuple[str, str], list[Finding]] = {}
    for finding in findings:
        by_component.setdefault((finding.release, finding.component.ref), []).append(finding)
    result = []
    for group in by_component.values():
        pending = list(group)
        while pending:
            current = pending.pop()
            for other in [f for f in pending if f.ids & current.ids]:
                pending.remove(other)
                current = merged(current, other)
            result.append(current)
    return sorted(result, key=lambda f: (f.release, f.component.ref, f.id))


class Scored(Protocol):
    """An EPSS score: the engine's `EpssScore`, or a server's stored row."""

    @property
    def epss(self) -> float: ...


KevT = TypeVar("KevT")
EpssT = TypeVar("EpssT", bound=Scored)


def exploitation(
    ids: Iterable[str], kev: Mapping[str, KevT], epss: Mapping[str, EpssT]
) -> tuple[KevT | None, EpssT | None]:
    """The exploitation signals of a vulnerability known by `ids` (ISO/SAE 21434 8.5): it is known
    exploited when any of its ids is in `kev` (the entry of the first listed, in id order), and its EPSS
    is the highest score of its ids in `epss` (the first, in id order, of equal ones). The one rule of a
    scan (`enrich`) and of the server (matching, the KEV/EPSS import and the finding page)."""
    names = sorted(set(ids))
    listed = next((kev[i] for i in names if i in kev), None)
    return listed, max((epss[i] for i in names if i in epss), key=lambda s: s.epss, default=None)


def enrich(
    findings: Iterable[Finding],
    kev: dict[str, KevEntry] | None = None,
    epss: dict[str, EpssScore] | None = None,
) -> list[Finding]:
    """Attach the KEV entry and EPSS score of a finding's ids (`exploitation`)."""
    result = []
    for finding in findings:
        known, scored = exploitation(finding.ids, kev or {}, epss or {})
        result.append(replace(finding, kev=known, epss=scored) if known or scored else finding)
    return result
