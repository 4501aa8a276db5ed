"""Advisories of an organisation: import files (JSON or zip), sync a source, match only what is new.

`import_advisories` stores new advisories and updates changed ones (by content hash), then matches only
those against the components they name (`matching.match_advisories`): an unchanged advisory costs one
hash comparison, and a new one an indexed lookup of its packages (ISO/SAE 21434 8.4, 8.5). Findings whose
every advisory is now withdrawn, or no longer matches in its new revision, are closed
(`withdrawals.close_withdrawn`, `withdrawals.close_unmatched`), and the people of each release
with new findings are notified.
Sources and their syncs are in `sources` (reading) and `syncs` (the worker's jobs).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from opencsms.core import audit
from opencsms.core.audit import AuditAction
from opencsms.core.bulk_rows import update_rows
from opencsms.core.errors import Invalid, from_engine
from opencsms.core.models import User
from opencsms.engine import ParseError
from opencsms.engine.advisories import Advisory, AdvisoryRead, parse_advisories, read_advisories
from opencsms.engine.safeinput import zip_members
from opencsms.organisation import selectors as organisation_selectors
from opencsms.organisation.access import Perm, require
from opencsms.organisation.models import Level, Organisation, Project
from opencsms.vulns import mapping, selectors
from opencsms.vulns.models import Advisory as AdvisoryRow
from opencsms.vulns.models import AdvisoryKey
from opencsms.vulns.services.matching import match_advisories
from opencsms.vulns.services.notifications import notify_new_findings
from opencsms.vulns.services.tara_loop import loop_new_findings
from opencsms.vulns.services.withdrawals import close_unmatched, close_withdrawn


@dataclass(frozen=True)
class ImportResult:
    """What an import did: advisories new, changed and unchanged, files skipped, findings created, findings
    closed because every advisory behind them was withdrawn, and because the changed advisories behind
    them no longer cover their component's version."""

    new: int
    changed: int
    unchanged: int
    skipped: int
    findings: int
    closed: int = 0
    no_longer_matched: int = 0


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


STORE_BATCH = 500
STORED_FIELDS = ("aliases", "source", "modified", "withdrawn", "content_sha256", "data")


def _update_rows(rows: list[AdvisoryRow]) -> None:
    """Write the stored fields of changed rows, one UPDATE each sent together (`bulk_rows.update_rows`;
    Django's bulk_update builds a CASE per field and row: ten times slower for 1,000 advisories)."""
    now = timezone.now()
    for row in rows:
        row.updated_at = now
    update_rows(AdvisoryRow, rows, (*STORED_FIELDS, "updated_at"))


def _store(organisation: Organisation, advisories: tuple[Advisory, ...]) -> tuple[list[Advisory], int, int]:
    """Store new and changed advisories: (those to match, new count, unchanged count). Rows and match keys
    are written in batches (a sync of 1,000 changed advisories is a few statements, not thousands)."""
    latest = {(a.origin, a.id): a for a in advisories}  # the last of duplicates wins
    stored = {
        (row.origin, row.advisory_id): row
        for row in AdvisoryRow.objects.filter(
            organisation=organisation, advisory_id__in={i for _, i in latest}
        )
    }
    to_match, unchanged = [], 0
    created: list[AdvisoryRow] = []
    changed: list[AdvisoryRow] = []
    keyed: list[tuple[AdvisoryRow, Advisory]] = []
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
            row = AdvisoryRow(
                organisation=organisation, origin=origin[:300], advisory_id=identifier[:200], **fields
            )
            created.append(row)
        else:
            for name, value in fields.items():
                setattr(row, name, value)
            changed.append(row)
        keyed.append((row, advisory))
        to_match.append(advisory)
    AdvisoryRow.objects.bulk_create(created, batch_size=STORE_BATCH)
    _update_rows(changed)
    for start in range(0, len(changed), STORE_BATCH):
        AdvisoryKey.objects.filter(advisory__in=changed[start : start + STORE_BATCH]).delete()
    keys = (
        AdvisoryKey(advisory=row, key=k)
        for row, advisory in keyed
        for k in mapping.advisory_key_texts(advisory)
    )
    AdvisoryKey.objects.bulk_create(keys, batch_size=STORE_BATCH)
    return to_match, len(created), unchanged


def import_read(actor: User, organisation: Organisation, read: AdvisoryRead, what: str) -> ImportResult:
    """Store what a read found, match what is new or changed, close the withdrawn, notify; audited."""
    to_match, new, unchanged = _store(organisation, read.advisories)
    created = match_advisories(organisation.pk, to_match)
    closed = close_withdrawn(actor, organisation.pk, to_match)
    unmatched = close_unmatched(actor, organisation.pk, to_match)
    result = ImportResult(
        new, len(to_match) - new, unchanged, len(read.skipped), len(created), closed, unmatched
    )
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
    return import_read(actor, organisation, read, what)
