"""Audit records shaped for people: what each changed (`core.changes`), users by name, filters of the audit
log, the CSV export and the chain check. Reads only; core's views make one call here.

Users are named, not numbered: a snapshot keeps a user as its id (`owner: 4`); a field that is a foreign key
to the user model on the record's model (`vulns.finding` owner, `tara.baseline` approved_by) is shown as the
user's name, every user of a page read in one query.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time

from django.apps import apps
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

from opencsms.core import audit, renames
from opencsms.core.changes import Change, summarise
from opencsms.core.models import ChangeRecord, User
from opencsms.core.spreadsheets import cell

HISTORY_PAGE_SIZE = 25
AUDIT_PAGE_SIZE = 50
EXPORT_LIMIT = 100_000  # rows of one CSV export (the newest first)
CSV_COLUMNS = (
    "seq",
    "time",
    "actor",
    "action",
    "object_type",
    "object_id",
    "object",
    "scope",
    "changes",
    "reason",
    "correlation_id",
    "hash",
)


@dataclass(frozen=True)
class AuditFilter:
    """What the audit log shows: the actor's user name, an object (`app.model:id`, or a part of its name),
    an action, and a time span (dates, UTC, both days included)."""

    user: str = ""
    obj: str = ""
    action: str = ""
    since: date | None = None
    until: date | None = None

    def q(self) -> Q:
        found = Q()
        if self.user:
            found &= Q(actor_name__iexact=self.user)
        if self.obj:
            found &= _object_q(self.obj)
        if self.action:
            found &= Q(action=self.action)
        if self.since:
            found &= Q(time__gte=datetime.combine(self.since, time.min, tzinfo=UTC))
        if self.until:
            found &= Q(time__lte=datetime.combine(self.until, time.max, tzinfo=UTC))
        return found

    @property
    def active(self) -> bool:
        return any((self.user, self.obj, self.action, self.since, self.until))


def _object_q(text: str) -> Q:
    kind, _, number = text.partition(":")
    if "." in kind and number:
        return Q(object_type__in=renames.object_types(kind), object_id=number)
    if "." in kind and " " not in kind:
        return Q(object_type__in=renames.object_types(kind)) | Q(object_repr__icontains=text)
    return Q(object_repr__icontains=text)


def actions() -> list[str]:
    return sorted(action.value for action in audit.AuditAction)


def _user_fields(object_type: str) -> frozenset[str]:
    """The fields of the record's model that name a user (none for a type no model has now)."""
    for name in renames.object_types(object_type):
        try:
            model = apps.get_model(name)
        except (LookupError, ValueError):
            continue
        return frozenset(
            field.name
            for field in model._meta.concrete_fields
            if field.is_relation and field.related_model is User
        )
    return frozenset()


def _named(change: Change, names: dict[int, str]) -> Change:
    def name(value: object) -> object:
        return names.get(value, f"user #{value}") if isinstance(value, int) else value

    return replace(change, before=name(change.before), after=name(change.after))


def described(records: Iterable[ChangeRecord]) -> list[ChangeRecord]:
    """The records with `summary` (their changes, users by name) attached: one query for every user."""
    rows = list(records)
    pending: list[tuple[ChangeRecord, list[Change], frozenset[str]]] = []
    ids: set[int] = set()
    for record in rows:
        changes = summarise(record.before, record.after)
        users = _user_fields(record.object_type)
        for change in changes:
            if not change.where and change.field in users:
                ids |= {v for v in (change.before, change.after) if isinstance(v, int)}
        pending.append((record, changes, users))
    names = {user.pk: user.get_full_name() or user.get_username() for user in User.objects.filter(pk__in=ids)}
    for record, changes, users in pending:
        record.summary = [  # type: ignore[attr-defined]
            _named(c, names) if not c.where and c.field in users else c for c in changes
        ]
    return rows


def history_page(
    visible: Q, *, object_type: str, object_id: str, scope: str = "", page_number: str | int | None = None
) -> Page[ChangeRecord]:
    """One page of an object's records (and, with `scope`, everything recorded at that level), newest
    first, that `visible` lets the reader see, each with its changes described."""
    about = Q(object_type__in=renames.object_types(object_type), object_id=object_id)
    if scope:
        about |= Q(scope=scope)
    records = ChangeRecord.objects.filter(about).filter(visible).order_by("-seq")
    page = Paginator(records, HISTORY_PAGE_SIZE).get_page(page_number)
    page.object_list = described(page.object_list)
    return page


def audit_records(visible: Q, filters: AuditFilter) -> QuerySet[ChangeRecord]:
    return ChangeRecord.objects.filter(visible).filter(filters.q()).order_by("-seq")


def audit_page(
    visible: Q, filters: AuditFilter, *, before_seq: int | None = None, limit: int = AUDIT_PAGE_SIZE
) -> list[ChangeRecord]:
    """The newest filtered records the reader may see, older than `before_seq`, changes described."""
    records = audit_records(visible, filters)
    if before_seq is not None:
        records = records.filter(seq__lt=before_seq)
    return described(records[:limit])


def export_csv(visible: Q, filters: AuditFilter) -> Iterator[str]:
    """The filtered records the reader may see as CSV lines (a header first), newest first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(values: Iterable[object]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(values)
        return buffer.getvalue()

    yield line(CSV_COLUMNS)
    records = audit_records(visible, filters)[:EXPORT_LIMIT]
    chunk: list[ChangeRecord] = []
    for record in records.iterator(chunk_size=500):
        chunk.append(record)
        if len(chunk) == 500:
            yield from (_csv_row(line, row) for row in described(chunk))
            chunk = []
    yield from (_csv_row(line, row) for row in described(chunk))


def _csv_row(line: Callable[[Iterable[object]], str], record: ChangeRecord) -> str:
    changes = "; ".join(
        f"{c.location + ' > ' if c.where else ''}{c.field}: {c.before_text or '∅'} -> {c.after_text or '∅'}"
        for c in record.summary  # type: ignore[attr-defined]
    )
    values = (
        record.seq,
        record.time.isoformat(),
        record.actor_name,
        record.action,
        record.object_type,
        record.object_id,
        record.object_repr,
        record.scope,
        changes,
        record.reason,
        record.correlation_id,
        record.hash,
    )
    return line(cell(value) for value in values)


@dataclass(frozen=True)
class ChainCheck:
    records: int
    problems: list[str]


def check_chain() -> ChainCheck:
    """The whole chain verified (`audit.verify_chain`): how many records, and what is wrong."""
    return ChainCheck(ChangeRecord.objects.count(), audit.verify_chain())
