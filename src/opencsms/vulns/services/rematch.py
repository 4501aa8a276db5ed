"""Re-matching an organisation's whole portfolio after a change of the matching rules (ISO/SAE 21434 8.5).

A release is matched when its SBOM is uploaded and an advisory when it is imported; when the rules that
key and compare them change (Go module paths keep their case, a CPE with vendor ANY is filed under every
vendor, every CPE of a component is matched, the best-scored alias lends its CVSS), what is stored was
derived under the old rules. `rematch_organisation`:

1. re-derives the match keys of every stored component and advisory (only the keys that changed are
   written: stale rows deleted, new keys inserted), and each component's further CPEs from its release's
   stored SBOM (`reread=True`);
2. matches every release against every stored advisory of the organisation in memory (the engine's
   `match`, one `AdvisoryIndex` whose records also lend their scores to aliases without one);
3. stores the result as matching does (`store_findings`): new findings are created, existing ones take
   the new evidence and severity (triage is never touched); one audit record names the counts;
4. notifies the people of each release with new findings and lets the new findings enter the loop into the
   TARA by the organisation's rule (`tara_loop.loop_new_findings`), as findings of a sync do.

Findings that no longer match are left as they are (closing them is a triage decision).
"""

from __future__ import annotations

import gc
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from django.db import transaction
from django.db.models import TextField
from django.db.models.functions import Cast

from opencsms.core import audit
from opencsms.core.audit import AuditAction
from opencsms.core.bulk_rows import insert_rows, insert_values
from opencsms.core.models import User
from opencsms.engine import ParseError
from opencsms.engine.matching import AdvisoryIndex, match
from opencsms.engine.matching.index import Memo
from opencsms.engine.sbom import Component, Sbom, parse_sbom
from opencsms.organisation.models import Organisation
from opencsms.vulns import mapping
from opencsms.vulns.models import Advisory as AdvisoryRow
from opencsms.vulns.models import AdvisoryKey, ComponentKey, Release, ReleaseComponent
from opencsms.vulns.models import Finding as FindingRow
from opencsms.vulns.services.advisories import organisation_for
from opencsms.vulns.services.matching import store_counted
from opencsms.vulns.services.notifications import notify_new_findings
from opencsms.vulns.services.tara_loop import loop_new_findings

RELEASES_PER_BATCH = 100


@dataclass(frozen=True)
class RematchResult:
    """What a re-match did."""

    releases: int
    components: int
    advisories: int
    keys_changed: int
    findings_created: int
    findings_updated: int


Keys = dict[int, set[tuple[str, ...]]]
StoredKey = tuple[Any, ...]  # (the stored row's id, its owner, *the key), as `values_list` reads it
Added = list[tuple[int | str, ...]]  # (owner, *key)


def _key_changes(stored: list[StoredKey], wanted: Keys) -> tuple[int, list[int], Added]:
    """How many owners' stored keys differ from the wanted ones; of those owners, the ids of the stored
    rows no longer wanted (and of duplicates) and the wanted keys not stored. Only these are written: a
    component whose keys were all deleted gets inserts and no DELETE, and deleting by the rows' ids keeps
    PostgreSQL on the primary key (a DELETE by component ids was planned as a scan of the whole key table
    when the table had not been analysed: 102 s of the bench's run (1))."""
    current: Keys = defaultdict(set)
    for row in stored:
        current[row[1]].add(row[2:])
    changed = {owner for owner, keys in wanted.items() if current.get(owner, set()) != keys}
    if not changed:
        return 0, [], []
    stale: list[int] = []
    kept: set[tuple[int, tuple[str, ...]]] = set()
    for row in stored:
        owner, key = row[1], row[2:]
        if owner not in changed:
            continue
        if key in wanted[owner] and (owner, key) not in kept:
            kept.add((owner, key))
        else:
            stale.append(row[0])
    added: Added = [
        (owner, *key) for owner in sorted(changed) for key in wanted[owner] if key not in current[owner]
    ]
    return len(changed), stale, added


def _write_keys(
    model: type[AdvisoryKey | ComponentKey], columns: tuple[str, ...], stale: list[int], added: Added
) -> None:
    """Delete the `stale` key rows (by id) and insert the `added` keys (`core.bulk_rows`)."""
    for start in range(0, len(stale), 500):
        model.objects.filter(pk__in=stale[start : start + 500]).delete()
    insert_values(model, columns, added)


def _advisory_keys(organisation_id: int) -> tuple[AdvisoryIndex, int]:
    """Every stored advisory of the organisation in one index; their keys re-derived where they changed."""
    rows = list(AdvisoryRow.objects.filter(organisation_id=organisation_id).only("pk", "data"))
    advisories = {row.pk: mapping.to_advisory(row) for row in rows}
    wanted: Keys = {pk: {(k,) for k in mapping.advisory_key_texts(a)} for pk, a in advisories.items()}
    stored = AdvisoryKey.objects.filter(advisory__organisation_id=organisation_id)
    changed, stale, added = _key_changes(list(stored.values_list("pk", "advisory_id", "key")), wanted)
    _write_keys(AdvisoryKey, ("advisory_id", "key"), stale, added)
    return AdvisoryIndex(advisories[pk] for pk in sorted(advisories)), changed


@dataclass(frozen=True, slots=True)
class _Row:
    """A stored component read as values (no model instance: a portfolio has hundreds of thousands)."""

    pk: int
    release_id: int
    position: int
    component: Component


_FIELDS = ("pk", "release_id", "position", "ref", "name", "version", "purl", "cpe", "supplier")


class _Decoded:
    """The JSON columns of components read as text and decoded once per distinct text (the releases of a
    portfolio repeat the same hashes and CPE lists: decoding each of 800,000 values was 20 s)."""

    def __init__(self) -> None:
        self.hashes: dict[str, tuple[tuple[str, str], ...]] = {}
        self.cpes: dict[str, tuple[str, ...]] = {}

    def pairs(self, text: str) -> tuple[tuple[str, str], ...]:
        found = self.hashes.get(text)
        if found is None:
            found = self.hashes[text] = tuple((str(a), str(v)) for a, v in json.loads(text))
        return found

    def texts(self, text: str) -> tuple[str, ...]:
        found = self.cpes.get(text)
        if found is None:
            found = self.cpes[text] = tuple(json.loads(text))
        return found


def _rows(releases: list[Release], decoded: _Decoded) -> dict[int, list[_Row]]:
    """The releases' stored components by release, in SBOM order."""
    by_release: dict[int, list[_Row]] = defaultdict(list)
    found = ReleaseComponent.objects.filter(release__in=releases).order_by("release_id", "position")
    as_text = found.annotate(
        hashes_text=Cast("hashes", TextField()), cpes_text=Cast("other_cpes", TextField())
    )
    for values in as_text.values_list(*_FIELDS, "hashes_text", "cpes_text"):
        pk, release_id, position, ref, name, version, purl, cpe, supplier, hashes, others = values
        pairs, more = decoded.pairs(hashes), decoded.texts(others)
        component = Component(ref, name, version, purl, cpe, supplier, pairs, (), more)
        by_release[release_id].append(_Row(pk, release_id, position, component))
    return by_release


def _reread_cpes(release: Release, rows: list[_Row]) -> list[_Row]:
    """The rows with the further CPEs of the release's stored SBOM read again (by position) where they
    differ, saved."""
    try:
        components = parse_sbom(bytes(release.sbom), release.sbom_filename or "sbom").components
    except ParseError:
        return rows
    result = []
    for row in rows:
        others = components[row.position].other_cpes if row.position < len(components) else ()
        if others == row.component.other_cpes:
            result.append(row)
            continue
        ReleaseComponent.objects.filter(pk=row.pk).update(other_cpes=list(others))
        result.append(replace(row, component=replace(row.component, other_cpes=others)))
    return result


def _component_keys(rows: list[_Row], memo: dict[Component, set[tuple[str, ...]]]) -> int:
    """Re-derive the match keys of `rows` where they changed (each distinct component's once, `memo`);
    how many components changed."""
    wanted: Keys = {}
    for row in rows:
        keys = memo.get(row.component)
        if keys is None:
            keys = memo[row.component] = {(k, v[:200]) for k, v in mapping.component_key_texts(row.component)}
        wanted[row.pk] = keys
    stored = ComponentKey.objects.filter(component__release_id__in={row.release_id for row in rows})
    found = list(stored.values_list("pk", "component_id", "key", "version"))
    changed, stale, added = _key_changes(found, wanted)
    _write_keys(ComponentKey, ("component_id", "key", "version"), stale, added)
    return changed


def _batches(organisation_id: int, reread: bool) -> Iterable[list[Release]]:
    found = Release.objects.filter(project__business_unit__organisation_id=organisation_id).order_by("pk")
    releases = list(found if reread else found.defer("sbom"))
    for start in range(0, len(releases), RELEASES_PER_BATCH):
        yield releases[start : start + RELEASES_PER_BATCH]


def _insert_findings(rows: list[FindingRow]) -> None:
    insert_rows(FindingRow, rows, ("release_id", "component_id", "vulnerability_id"), "release_id")


@contextmanager
def _gc_paused() -> Iterator[None]:
    """A re-match allocates hundreds of thousands of small acyclic values (components, keys, findings):
    the cyclic collector's passes over them only slow it down (as in `engine.tara.evaluate`)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@transaction.atomic
def rematch_organisation(*, actor: User, organisation_id: int, reread: bool = False) -> RematchResult:
    """Re-derive the match keys and re-match every release of the organisation (see the module)."""
    with _gc_paused():
        return _rematch(actor, organisation_id, reread)


def _rematch(actor: User, organisation_id: int, reread: bool) -> RematchResult:
    organisation: Organisation = organisation_for(actor, organisation_id, None)
    index, keys_changed = _advisory_keys(organisation.pk)
    totals = {"releases": 0, "components": 0, "created": 0, "updated": 0}
    memo: Memo = {}  # each distinct component matched once (releases share most of their packages)
    keys_memo: dict[Component, set[tuple[str, ...]]] = {}
    decoded = _Decoded()
    for releases in _batches(organisation.pk, reread):
        by_release = _rows(releases, decoded)
        if reread:
            by_release = {r.pk: _reread_cpes(r, by_release[r.pk]) for r in releases}
        flat = [row for release in releases for row in by_release[release.pk]]
        keys_changed += _component_keys(flat, keys_memo)
        found = []
        for release in releases:
            components = tuple(row.component for row in by_release[release.pk])
            sbom = Sbom("database", release.name, release.version, components)
            found.extend(match(sbom, index, release=str(release.pk), memo=memo))
        lookup = {
            (r.release_id, r.component.ref, r.component.purl, r.component.cpe): r for r in reversed(flat)
        }
        created, updated = store_counted(found, lookup, organisation.pk, insert=_insert_findings)
        notify_new_findings(created)
        loop_new_findings(actor, created)
        totals["releases"] += len(releases)
        totals["components"] += len(flat)
        totals["created"] += len(created)
        totals["updated"] += updated
    result = RematchResult(
        totals["releases"],
        totals["components"],
        index.count,
        keys_changed,
        totals["created"],
        totals["updated"],
    )
    audit.record(
        actor=actor,
        action=AuditAction.FINDINGS_REMATCHED,
        obj=organisation,
        after={**result.__dict__, "reread": reread},
        scope=organisation.scope,
    )
    return result
