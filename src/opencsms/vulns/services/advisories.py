"""Advisories of an organisation: import files (JSON or zip), sync a source, match only what is new.

`import_advisories` stores new advisories and updates changed ones (by content hash), then matches only
those against the components they name (`matching.match_advisories`): an unchanged advisory costs one
hash comparison, and a new one an indexed lookup of its packages (ISO/SAE 21434 8.4, 8.5). Findings whose
every advisory is now withdrawn are closed (`withdrawals.close_withdrawn`), and the people of each release
with new findings are notified.
`sync_source` reads an `AdvisorySource` with the engine's feed code; `syncs.sync_source_task` runs it in
the worker (`opencsms worker`), queued by `syncs.queue_sync`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from opencsms.core import audit, outbound
from opencsms.core.audit import AuditAction
from opencsms.core.errors import Conflict, Invalid, NotFound, from_engine
from opencsms.core.models import User
from opencsms.engine import ParseError
from opencsms.engine.advisories import Advisory, AdvisoryRead, parse_advisories, read_advisories
from opencsms.engine.advisories.feeds import sync_nvd, sync_osv_archive, sync_rolie
from opencsms.engine.safeinput import zip_members
from opencsms.organisation import selectors as organisation_selectors
from opencsms.organisation.access import Perm, require
from opencsms.organisation.models import Level, Organisation, Project
from opencsms.vulns import mapping, selectors
from opencsms.vulns.models import Advisory as AdvisoryRow
from opencsms.vulns.models import AdvisoryKey, AdvisorySource, SourceKind
from opencsms.vulns.services.matching import match_advisories
from opencsms.vulns.services.notifications import notify_new_findings
from opencsms.vulns.services.tara_loop import loop_new_findings
from opencsms.vulns.services.withdrawals import close_withdrawn


@dataclass(frozen=True)
class ImportResult:
    """What an import did: advisories new, changed and unchanged, files skipped, findings created, findings
    closed because every advisory behind them was withdrawn."""

    new: int
    changed: int
    unchanged: int
    skipped: int
    findings: int
    closed: int = 0


def organisation_for(actor: User, organisation_id: int | None, project_id: int | None) -> Organisation:
    """The organisation whose mirror is written: given directly, or the project's (EDIT on either)."""
    if project_id is not None:
        project = organisation_selectors.level(actor, Level.PROJECT, project_id)
        assert isinstance(project, Project)
        require(actor, Perm.EDIT, project)
        return project.business_unit.organisation
    if organisation_id is None:
        raise Invalid("give an organisation or a project")
    organisation = organisation_selectors.level(actor, Level.ORGANISATION, organisation_id)
    require(actor, Perm.EDIT, organisation)
    assert isinstance(organisation, Organisation)
    return organisation


def read_upload(raw: bytes, filename: str) -> AdvisoryRead:
    """One uploaded advisory document, or a zip archive of them (non-advisories skipped)."""
    if len(raw) > selectors.MAX_ADVISORY_BYTES:
        raise Invalid("the file is too large")
    try:
        if raw[:4] == b"PK\x03\x04":
            found: list[Advisory] = []
            skipped = []
            for name, member in zip_members(raw, filename or "<upload>.zip"):
                if not name.lower().endswith(".json"):
                    continue
                try:
                    found.extend(parse_advisories(member, name))
                except ParseError as exc:
                    if exc.problems[0].rule != "not-an-advisory":
                        raise
                    skipped.extend(exc.problems)
            return AdvisoryRead(tuple(found), tuple(skipped))
        return AdvisoryRead(tuple(parse_advisories(raw, filename or "<upload>")))
    except ParseError as exc:
        raise from_engine(exc, "the advisories cannot be read") from None


def _store(organisation: Organisation, advisories: tuple[Advisory, ...]) -> tuple[list[Advisory], int, int]:
    """Store new and changed advisories: (those to match, new count, unchanged count)."""
    latest = {(a.origin, a.id): a for a in advisories}  # the last of duplicates wins
    stored = {
        (row.origin, row.advisory_id): row
        for row in AdvisoryRow.objects.filter(
            organisation=organisation, advisory_id__in={i for _, i in latest}
        )
    }
    to_match, new, unchanged = [], 0, 0
    for (origin, identifier), advisory in latest.items():
        data = mapping.advisory_data(advisory)
        digest = mapping.data_sha256(data)
        row = stored.get((origin, identifier))
        if row is not None and row.content_sha256 == digest:
            unchanged += 1
            continue
        fields = {
            "aliases": list(advisory.aliases),
            "source": advisory.source[:50],
            "modified": advisory.modified[:64],
            "withdrawn": advisory.withdrawn[:64],
            "content_sha256": digest,
            "data": data,
        }
        if row is None:
            row = AdvisoryRow.objects.create(
                organisation=organisation, origin=origin[:300], advisory_id=identifier[:200], **fields
            )
            new += 1
        else:
            AdvisoryRow.objects.filter(pk=row.pk).update(**fields)
            AdvisoryKey.objects.filter(advisory=row).delete()
        AdvisoryKey.objects.bulk_create(
            AdvisoryKey(advisory=row, key=k) for k in mapping.advisory_key_texts(advisory)
        )
        to_match.append(advisory)
    return to_match, new, unchanged


def _import(actor: User, organisation: Organisation, read: AdvisoryRead, what: str) -> ImportResult:
    to_match, new, unchanged = _store(organisation, read.advisories)
    created = match_advisories(organisation.pk, to_match)
    closed = close_withdrawn(actor, organisation.pk, to_match)
    result = ImportResult(new, len(to_match) - new, unchanged, len(read.skipped), len(created), closed)
    audit.record(
        actor=actor,
        action=AuditAction.ADVISORIES_IMPORTED,
        obj=organisation,
        after={"from": what, **result.__dict__, "finding_ids": [f.pk for f in created][:1000]},
        scope=organisation.scope,
    )
    notify_new_findings(created)
    loop_new_findings(actor, created)
    return result


@transaction.atomic
def import_advisories(
    *,
    actor: User,
    raw: bytes | None = None,
    filename: str = "",
    paths: list[Path] | None = None,
    organisation_id: int | None = None,
    project_id: int | None = None,
) -> ImportResult:
    """Advisories from an upload (`raw`: one document or a zip) or server `paths` (files, folders, zips)
    into the organisation's mirror (given, or the project's); new and changed ones are matched."""
    organisation = organisation_for(actor, organisation_id, project_id)
    if raw is not None:
        read, what = read_upload(raw, filename), filename
    elif paths:
        try:
            read = read_advisories(paths)
        except ParseError as exc:
            raise from_engine(exc, "the advisories cannot be read") from None
        what = ", ".join(str(p) for p in paths)
    else:
        raise Invalid("give a file or paths")
    return _import(actor, organisation, read, what)


@transaction.atomic
def create_advisory_source(
    *, actor: User, organisation_id: int, name: str, kind: str, location: str
) -> AdvisorySource:
    organisation = organisation_for(actor, organisation_id, None)
    if kind not in SourceKind.values:
        raise Invalid(f"kind {kind!r}: use one of {', '.join(SourceKind.values)}")
    if kind != SourceKind.OSV_PATH and not location.startswith(("https://", "http://")):
        raise Invalid("a feed source needs an http(s) URL")
    if AdvisorySource.objects.filter(organisation=organisation, name=name).exists():
        raise Conflict(f"the organisation already has an advisory source named {name!r}: choose another name")
    _check_location(kind, location, outbound.current())
    source = AdvisorySource.objects.create(organisation=organisation, name=name, kind=kind, location=location)
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


def _fetch(source: AdvisorySource) -> AdvisoryRead:
    since = source.last_result.get("since", "") if source.kind != SourceKind.OSV_URL else ""
    policy = outbound.current()

    def fetch(url: str) -> bytes:
        return outbound.fetch(url, policy)

    try:
        folder = _check_location(source.kind, source.location, policy)
        if folder is not None:
            return read_advisories([folder], explicit_files_must_parse=False)
        if source.kind == SourceKind.OSV_URL:
            return sync_osv_archive(source.location, fetch=fetch)
        if source.kind == SourceKind.CSAF_ROLIE:
            return sync_rolie(source.location, since=since, fetch=fetch)
        return sync_nvd(source.location, since=since, fetch=fetch)
    except outbound.Refused as exc:
        raise Invalid(f"{source.name}: {exc.detail}") from None
    except ParseError as exc:
        raise from_engine(exc, source.name) from None
    except OSError as exc:  # network or file system
        raise Invalid(f"{source.name}: cannot read {source.location}: {exc}") from None


@transaction.atomic
def sync_source(*, actor: User, source_id: int) -> ImportResult:
    """Read an advisory source and import what is new or changed since the last sync."""
    found = AdvisorySource.objects.select_related("organisation").filter(pk=source_id).first()
    if found is None:
        raise NotFound(f"no advisory source {source_id}")
    organisation = organisation_for(actor, found.organisation_id, None)
    source = AdvisorySource.objects.select_for_update().get(pk=found.pk)
    started = timezone.now().strftime("%Y-%m-%dT%H:%M:%S.000")
    result = _import(actor, organisation, _fetch(source), f"source {source.name}")
    source.last_synced_at = timezone.now()
    source.last_result = {"since": started, **result.__dict__}
    source.save(update_fields=["last_synced_at", "last_result"])
    return result
