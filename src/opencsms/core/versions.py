"""Optimistic concurrency: every editable object has a version, and a change made from an older one is
refused instead of silently overwriting what someone else saved in between (a lost update).

A row of the database keeps a `version` integer that its service raises on every write; an entry of a
TARA document (a JSON value) is versioned by a digest of its content, so it needs no column and changes
exactly when the content does. Pages carry the version a form was rendered from in a hidden field `etag`;
the API sends it as the `ETag` header and the `etag` field of the object, and takes it back as `If-Match`
(or the payload's `etag`). The service compares it with the stored one inside its transaction, after
locking the row (`select_for_update`), so pages, API and CLI are protected alike; a caller that sends no
version is not checked (the last write wins, as before).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Mapping
from typing import Any

from django.db import models

from opencsms.core.errors import Stale
from opencsms.core.models import ChangeRecord

FIELD = "etag"  # the hidden field of the pages' forms and the API's field
BASE = "base"  # the conflict page's: the version the user's form was made from, when applied again


def digest(value: Any) -> str:
    """The version of a JSON value: the first 16 hex digits of the SHA-256 of its canonical JSON."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def quoted(version: str | int) -> str:
    """The version as an HTTP entity tag (`"3"`)."""
    return f'"{version}"'


def unquoted(tag: str | None) -> str | None:
    """The version an `If-Match` header or a form field names (quotes and a weak `W/` dropped); None for
    none or `*` (any version)."""
    text = (tag or "").strip().removeprefix("W/").strip('"').strip()
    return None if text in ("", "*") else text


def as_text(value: Any) -> str:
    """A field's value as a person reads it on the conflict page."""
    if value is None:
        return ""
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return str(value)  # a text, number or date as itself (a date as stored in the audit trail: ISO)


def differences(stored: Mapping[str, Any], yours: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """Each field of `yours` whose value differs from the `stored` one: (field, stored, yours) as text."""
    return [
        (name, as_text(stored.get(name)), as_text(value))
        for name, value in yours.items()
        if as_text(stored.get(name)) != as_text(value)
    ]


def saved_by(obj: models.Model) -> str:
    """Who made the last recorded change of `obj` and when (the audit trail), or "" when none is."""
    last = (
        ChangeRecord.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .order_by("-seq")
        .values_list("actor_name", "time")
        .first()
    )
    return "" if last is None else f"{last[0]} at {last[1]:%Y-%m-%d %H:%M} UTC"


def content_at(obj: models.Model, version: str, current: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The content of `obj`, a JSON value versioned by its digest, at `version`: `current`, or the before
    or after of one of its last audit records whose digest is `version` (the records of such objects
    hold the whole value); None when none is (then nobody knows what the caller started from)."""
    if digest(current) == version:
        return current
    records = ChangeRecord.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    for before, after in records.order_by("-seq").values_list("before", "after")[:100]:
        for value in (after, before):
            if isinstance(value, dict) and digest(value) == version:
                return value
    return None


def fields_at(
    obj: models.Model, version: str | None, *, current: int, actions: Collection[str]
) -> dict[str, Any] | None:
    """The audited fields of `obj`, a row whose `version` its service raises with each change audited as
    one of `actions`, at the older `version`: the `before` of the (current - version)th last such record;
    None when that is not known."""
    if version is None or not version.isdigit() or int(version) >= current:
        return None
    steps = current - int(version)
    records = ChangeRecord.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk), action__in=list(actions)
    )
    found = list(records.order_by("-seq").values_list("before", flat=True)[:steps])
    return found[-1] if len(found) == steps and isinstance(found[-1], dict) else None


def own_changes(changes: Mapping[str, Any], base: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of `changes` that differ from `base`, the content the caller's form was made from: what
    they changed themselves, to apply on top of someone else's newer version."""
    return {name: value for name, value in changes.items() if as_text(value) != as_text(base.get(name))}


def _who_changed(
    stored: Mapping[str, Any], yours: Mapping[str, Any], base: Mapping[str, Any] | None
) -> dict[str, str]:
    if base is None:
        return {}
    marks = {}
    for name, value in yours.items():
        theirs, mine = (
            as_text(stored.get(name)) != as_text(base.get(name)),
            as_text(value) != as_text(base.get(name)),
        )
        marks[name] = "both" if theirs and mine else "them" if theirs else "you" if mine else ""
    return marks


def check(
    obj: models.Model,
    what: str,
    *,
    expected: str | int | None,
    current: str | int,
    stored: Mapping[str, Any],
    yours: Mapping[str, Any],
    base: Callable[[], Mapping[str, Any] | None] = lambda: None,
) -> None:
    """Refuse (`Stale`) a change of `obj` (named `what`) made from version `expected` when the stored one
    is `current`; `stored` and `yours` are the fields as stored and as the caller wants them (for the
    differences), `base` gives the content at `expected` where it can be known (who changed each field).
    No version given: nothing to check."""
    if expected is None or str(expected) == str(current):
        return
    found = differences(stored, yours)
    raise Stale(
        what,
        current=str(current),
        differences=found,
        saved_by=saved_by(obj),
        changed_by=_who_changed(stored, yours, base()),
    )
