"""Matching inside the database: candidates by match key (an indexed lookup), then the engine's matcher.

- `match_release`: a new release's components against the organisation's stored advisories that name one
  of its packages (ISO/SAE 21434 8.5, R155 7.2.2.2(g)).
- `match_advisories`: new or changed advisories against only the components filed under the packages they
  name (the engine's `PortfolioIndex` over those candidates), never a rescan of every release.
- `store_findings`: engine findings to rows, merged over aliases with what a component already has (a GO
  id imported today and its CVE next week stay one finding); new ones get their due date from the
  organisation's SLA (`services.sla`), and merged ones whose severity or KEV flag changed a new one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Protocol

from opencsms.engine.advisories import Advisory
from opencsms.engine.matching import AdvisoryIndex, Finding, PortfolioIndex, exploitation, match
from opencsms.engine.matching.merge import merged
from opencsms.engine.sbom import Sbom
from opencsms.vulns import mapping
from opencsms.vulns.models import (
    Advisory as AdvisoryRow,
)
from opencsms.vulns.models import (
    ComponentKey,
    EpssScore,
    KnownExploited,
    Release,
    ReleaseComponent,
    Stage,
    VexStatus,
)
from opencsms.vulns.models import (
    Finding as FindingRow,
)
from opencsms.vulns.selectors.sla import terms_for
from opencsms.vulns.services.sla import apply_sla
from opencsms.vulns.services.vulnerability_triage import inherit_decisions

BATCH = 500
Identity = tuple[int, str, str, str]  # release id, component ref, purl, cpe


class Stored(Protocol):
    """A stored component as findings need it: a `ReleaseComponent`, or its ids alone (`rematch`)."""

    @property
    def pk(self) -> int: ...

    @property
    def release_id(self) -> int: ...


def _batches(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]


def candidate_components(organisation_id: int, keys: set[str]) -> list[ReleaseComponent]:
    """The components of the organisation's releases filed under one of `keys` (indexed lookups), with
    their release but not its stored SBOM (read once per component row, the SBOMs made a sync of 1,000
    advisories take 20 s: bench/incremental_sync.py)."""
    ids: set[int] = set()
    for batch in _batches(sorted(keys)):
        ids.update(
            ComponentKey.objects.filter(
                key__in=batch, component__release__project__business_unit__organisation_id=organisation_id
            ).values_list("component_id", flat=True)
        )
    rows = ReleaseComponent.objects.filter(pk__in=ids).select_related("release")
    return list(rows.defer("release__sbom", "release__problems"))


def candidate_advisories(organisation_id: int, keys: set[str]) -> list[Advisory]:
    """The organisation's stored advisories that name one of `keys` (indexed lookups)."""
    ids: set[int] = set()
    for batch in _batches(sorted(keys)):
        ids.update(
            AdvisoryRow.objects.filter(organisation_id=organisation_id, keys__key__in=batch).values_list(
                "pk", flat=True
            )
        )
    return [mapping.to_advisory(row) for row in AdvisoryRow.objects.filter(pk__in=ids).order_by("pk")]


def lend_alias_scores(organisation_id: int, index: AdvisoryIndex, advisories: list[Advisory]) -> None:
    """Let `index` know the organisation's stored records of the ids and aliases of every advisory
    without CVSS (a Go record's GHSA and CVE), for their scores only: such a finding takes its
    best-scored alias's severity and names it (`engine.matching.merge.findings_for`)."""
    ids = sorted({i for a in advisories if not a.severities for i in a.ids})
    for batch in _batches(ids):
        rows = AdvisoryRow.objects.filter(organisation_id=organisation_id, advisory_id__in=batch)
        index.lend_scores(mapping.to_advisory(row) for row in rows)


def _identity(release_id: int, finding: Finding) -> Identity:
    c = finding.component
    return (release_id, c.ref, c.purl, c.cpe)


def match_release(
    release: Release, rows: list[ReleaseComponent], sbom: Sbom, keys: set[str]
) -> list[FindingRow]:
    """A release's components (`rows`, stored with their match `keys`) against the stored advisories
    naming their packages."""
    advisories = candidate_advisories(release.project.business_unit.organisation_id, keys)
    if not advisories:
        return []
    index = AdvisoryIndex(advisories)
    lend_alias_scores(release.project.business_unit.organisation_id, index, advisories)
    found = match(sbom, index, release=str(release.pk))
    lookup = {(release.pk, r.ref, r.purl, r.cpe): r for r in reversed(rows)}
    return store_findings(found, lookup, release.project.business_unit.organisation_id)


def match_advisories(organisation_id: int, advisories: list[Advisory]) -> list[FindingRow]:
    """New or changed advisories against the components they can concern, and nothing else."""
    keys = set().union(*(mapping.advisory_key_texts(a) for a in advisories)) if advisories else set()
    candidates = candidate_components(organisation_id, keys)
    if not candidates:
        return []
    by_release: dict[int, list[ReleaseComponent]] = defaultdict(list)
    for row in candidates:
        by_release[row.release_id].append(row)
    portfolio = PortfolioIndex()
    for release_id, rows in by_release.items():
        release = rows[0].release
        components = tuple(mapping.to_component(r) for r in rows)
        portfolio.add_release(str(release_id), Sbom("database", release.name, release.version, components))
    known = AdvisoryIndex(advisories)
    lend_alias_scores(organisation_id, known, advisories)
    found = [finding for advisory in advisories for finding in portfolio.match_advisory(advisory, known)]
    lookup = {(r.release_id, r.ref, r.purl, r.cpe): r for r in reversed(candidates)}
    return store_findings(found, lookup, organisation_id)


MERGED = (  # the columns matching writes (`mapping.finding_fields`), but KEV and EPSS (`_signals`)
    "vulnerability_id",
    "aliases",
    "evidence",
    "vectors",
    "remediations",
    "score",
    "severity",
    "severity_from",
    "summary",
)


def _merge_into(row: FindingRow, finding: Finding) -> bool:
    """Fold an engine finding into a row of its component that shares an id (the engine's `merged`; a
    stored row keeps its name); True when the row changed. A row that already holds the finding's ids
    and evidence at a score as high is left as it is (a re-match finds most rows so: no merge built)."""
    if (
        row.pk
        and finding.ids <= {row.vulnerability_id, *row.aliases}
        and (finding.score or 0) <= (row.score or 0)
        and all(e in row.evidence for e in mapping.evidence_data(finding.evidence))
    ):
        return False
    kept = mapping.matched(row, finding.component)
    fields = mapping.finding_fields(merged(kept, finding, row.vulnerability_id if row.pk else ""))
    before = (row.aliases, row.evidence, row.score)
    for name in MERGED:
        setattr(row, name, fields[name])
    return (row.aliases, row.evidence, row.score) != before


def _signals(organisation_id: int, rows: list[FindingRow]) -> None:
    """Set the KEV flag and EPSS of new or merged rows from the organisation's stored KEV and EPSS
    (`engine.matching.exploitation`)."""
    ids = sorted({i for row in rows for i in mapping.finding_ids(row)})
    kev: dict[str, str] = {}
    epss: dict[str, EpssScore] = {}
    for batch in _batches(ids):
        listed = KnownExploited.objects.filter(organisation_id=organisation_id, cve__in=batch)
        kev.update((cve, cve) for cve in listed.values_list("cve", flat=True))
        scores = EpssScore.objects.filter(organisation_id=organisation_id, cve__in=batch)
        epss.update((score.cve, score) for score in scores.only("cve", "epss"))
    for row in rows:
        entry, score = exploitation(mapping.finding_ids(row), kev, epss)
        row.kev, row.epss = entry is not None, score.epss if score else None


def store_findings(
    found: list[Finding], lookup: Mapping[Identity, Stored], organisation_id: int
) -> list[FindingRow]:
    """Create or merge rows for engine findings (whose `release` is the release id); the created rows.
    KEV and EPSS come from the organisation's stored copies."""
    return store_counted(found, lookup, organisation_id)[0]


def store_counted(
    found: list[Finding],
    lookup: Mapping[Identity, Stored],
    organisation_id: int,
    insert: Callable[[list[FindingRow]], None] | None = None,
) -> tuple[list[FindingRow], int]:
    """`store_findings`, and how many existing rows changed; `insert` writes the new rows (by default
    `bulk_create`)."""
    components = sorted({lookup[_identity(int(f.release), f)].pk for f in found})
    existing: dict[int, list[FindingRow]] = defaultdict(list)
    for batch in range(0, len(components), BATCH):
        for row in FindingRow.objects.filter(component__in=components[batch : batch + BATCH]):
            existing[row.component_id].append(row)
    created: list[FindingRow] = []
    changed: dict[int, FindingRow] = {}
    for finding in found:
        component = lookup[_identity(int(finding.release), finding)]
        same = next(
            (r for r in existing[component.pk] if finding.ids & {r.vulnerability_id, *r.aliases}), None
        )
        if same is not None:
            if _merge_into(same, finding) and same.pk:
                changed[same.pk] = same
            continue
        row = FindingRow(
            release_id=component.release_id,
            component_id=component.pk,
            **mapping.finding_fields(finding),
            stage=Stage.EVENT,
            vex_status=VexStatus.UNDER_INVESTIGATION,
        )
        existing[component.pk].append(row)
        created.append(row)
    _signals(organisation_id, [*created, *changed.values()])
    apply_sla([*created, *changed.values()], terms_for(organisation_id))  # a changed severity or KEV flag
    if insert is None:
        FindingRow.objects.bulk_create(created, batch_size=BATCH)
    else:
        insert(created)
    inherit_decisions(organisation_id, created)
    fields = ["kev", "epss", "due_date", *MERGED]
    FindingRow.objects.bulk_update(list(changed.values()), fields, batch_size=BATCH)
    return created, len(changed)
