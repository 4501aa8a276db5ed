"""Advisory sources of an organisation: created under the operator's outbound policy, and synced.

`sync_source` reads a source with the engine's feed code from where its cursor says the last sync stopped
(engine.advisories.incremental: NVD by lastModStartDate windows, OSV by modified_id.csv per ecosystem, CSAF
by provider metadata, ROLIE `updated` and changes.csv), imports what is new or changed, and keeps the new
cursor; a `kev_json` or `epss_csv` source replaces the organisation's KEV or EPSS copy, like an upload.
Every request goes through `core.outbound` (hosts, redirects, size and time limits), checked again at each
sync. `syncs.sync_source_task` runs it in the worker, queued by a person (`syncs.queue_sync`) or by the
schedule (`schedules.enqueue_due_syncs`).
"""

from __future__ import annotations

import re
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from opencsms.core import audit, outbound
from opencsms.core.audit import AuditAction
from opencsms.core.errors import Conflict, Invalid, NotFound, from_engine
from opencsms.core.models import User
from opencsms.engine import ParseError
from opencsms.engine.advisories import read_advisories
from opencsms.engine.advisories.feeds import sync_osv_archive
from opencsms.engine.advisories.incremental import (
    FeedRead,
    exploitation_bytes,
    sync_csaf,
    sync_nvd_incremental,
    sync_osv_ecosystems,
)
from opencsms.vulns.models import AdvisorySource, SourceKind
from opencsms.vulns.services.advisories import ImportResult, import_read, organisation_for
from opencsms.vulns.services.exploitation import ExploitationResult, parse_exploitation, store_exploitation

EXPLOITATION = {SourceKind.KEV_JSON: "kev", SourceKind.EPSS_CSV: "epss"}  # a source kind -> its upload kind
ECOSYSTEM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.:_ -]{0,63}$")  # as OSV names folders: Go, PyPI, Alpine:v3.20
MAX_ECOSYSTEMS = 50


def _ecosystems(kind: str, given: list[str]) -> list[str]:
    found = list(dict.fromkeys(e.strip() for e in given if e.strip()))
    if found and kind != SourceKind.OSV_URL:
        raise Invalid("ecosystems: only an OSV archive source (osv_url) reads ecosystems")
    bad = [e for e in found if not ECOSYSTEM.match(e)]
    if bad:
        raise Invalid(f"ecosystems: {bad[0]!r} is not an OSV ecosystem name (letters, digits, '.:_ -')")
    if len(found) > MAX_ECOSYSTEMS:
        raise Invalid(f"ecosystems: at most {MAX_ECOSYSTEMS}")
    return found


@transaction.atomic
def create_advisory_source(
    *,
    actor: User,
    organisation_id: int,
    name: str,
    kind: str,
    location: str,
    ecosystems: list[str] | None = None,
) -> AdvisorySource:
    """A source of the organisation (EDIT on it). An osv_url source with ecosystems reads
    `<location>/<Ecosystem>/all.zip` once, then what changed; without, `location` is one archive read
    whole."""
    organisation = organisation_for(actor, organisation_id, None)
    if kind not in SourceKind.values:
        raise Invalid(f"kind {kind!r}: use one of {', '.join(SourceKind.values)}")
    if kind != SourceKind.OSV_PATH and not location.startswith(("https://", "http://")):
        raise Invalid("a feed source needs an http(s) URL")
    chosen = _ecosystems(kind, ecosystems or [])
    if AdvisorySource.objects.filter(organisation=organisation, name=name).exists():
        raise Conflict(f"the organisation already has an advisory source named {name!r}: choose another name")
    _check_location(kind, location, outbound.current())
    source = AdvisorySource.objects.create(
        organisation=organisation, name=name, kind=kind, location=location, ecosystems=chosen
    )
    audit.record(
        actor=actor,
        action=AuditAction.ADVISORY_SOURCE_CREATED,
        obj=source,
        after=audit.snapshot(source),
        scope=source.scope,
    )
    return source


def _check_location(kind: str, location: str, policy: outbound.Policy) -> Path | None:
    """The source's folder (osv_path) or URL checked against the operator's outbound policy: when the
    source is saved, and again when the worker reads it (the folder or the host's addresses may change)."""
    if kind == SourceKind.OSV_PATH:
        return outbound.checked_folder(location, policy)
    outbound.checked_url(location, policy)
    return None


def _read(source: AdvisorySource, policy: outbound.Policy) -> FeedRead | bytes:
    """What the source holds since its cursor (advisories), or the whole KEV or EPSS file (bytes)."""

    def fetch(url: str) -> bytes:
        return outbound.fetch(url, policy)

    folder = _check_location(source.kind, source.location, policy)
    cursor = dict(source.cursor or {})
    if folder is not None:
        read = read_advisories([folder], explicit_files_must_parse=False)
        return FeedRead(read.advisories, {}, read.skipped)
    if source.kind in EXPLOITATION:
        return exploitation_bytes(source.location, fetch)
    if source.kind == SourceKind.OSV_URL and source.ecosystems:
        return sync_osv_ecosystems(source.location, source.ecosystems, cursor, fetch)
    if source.kind == SourceKind.OSV_URL:
        archive = sync_osv_archive(source.location, fetch=fetch)
        return FeedRead(archive.advisories, {}, archive.skipped, (source.location,))
    if source.kind == SourceKind.CSAF_ROLIE:
        return sync_csaf(source.location, cursor, fetch)
    return sync_nvd_incremental(source.location, cursor, timezone.now(), fetch)


def _fetch(source: AdvisorySource) -> FeedRead | bytes:
    try:
        return _read(source, outbound.current())
    except outbound.Refused as exc:
        raise Invalid(f"{source.name}: {exc.detail}") from None
    except ParseError as exc:
        raise from_engine(exc, source.name) from None
    except OSError as exc:  # the file system
        raise Invalid(f"{source.name}: cannot read {source.location}: {exc}") from None


@transaction.atomic
def sync_source(*, actor: User, source_id: int) -> ImportResult | ExploitationResult:
    """Read an advisory source and import what is new or changed since the last sync (its cursor), or
    replace the organisation's KEV or EPSS copy; nothing is kept of a sync that fails."""
    found = AdvisorySource.objects.select_related("organisation").filter(pk=source_id).first()
    if found is None:
        raise NotFound(f"no advisory source {source_id}")
    organisation = organisation_for(actor, found.organisation_id, None)
    source = AdvisorySource.objects.select_for_update().get(pk=found.pk)
    got = _fetch(source)
    result: ImportResult | ExploitationResult
    if isinstance(got, bytes):
        kind = EXPLOITATION[SourceKind(source.kind)]
        parsed = parse_exploitation(kind, got, source.location)
        result = store_exploitation(actor, organisation, kind, parsed, f"source {source.name}")
        source.last_result = dict(result.__dict__)
    else:
        result = import_read(actor, organisation, got.read, f"source {source.name}")
        source.cursor = got.cursor
        source.last_result = {**result.__dict__, "fetched": len(got.fetched)}
    source.last_synced_at = timezone.now()
    source.save(update_fields=["last_synced_at", "last_result", "cursor"])
    return result
