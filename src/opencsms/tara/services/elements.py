"""Changes to single elements of a TARA (a component, an asset, a threat scenario, ...) and its header.

Each change is checked by the engine before it is kept, as part of the whole document (a dangling
reference is refused, naming it), then the TARA is evaluated again so that every derived risk is
current (ISO/SAE 21434 15.8), and the change is audited with the element's data before and after. A
changed or new entry is checked and rated incrementally (`evaluation.store_entry`), with the same
outcome as reading the whole document.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F, Max

from opencsms.core import audit, versions
from opencsms.core.audit import AuditAction
from opencsms.core.errors import Conflict, Invalid, NotFound
from opencsms.core.models import User
from opencsms.tara import mapping, selectors
from opencsms.tara.models import SINGULAR, Element, Kind, Tara
from opencsms.tara.services.evaluation import DERIVED_FIELDS, store_entry, store_evaluation, take_for_edit

HEADER_FIELDS = ("name", "version", "method", "item")


def element_entry(action: AuditAction, element: Element, before: Any, after: Any) -> audit.Entry:
    """The audit record of a change to `element` (its `tara` set), its data `before` and `after`."""
    return audit.Entry(
        action=action,
        object_type="tara.element",
        object_id=str(element.pk),
        object_repr=f"{element.tara.ref}/{element.ref} {element.label}",
        before=before,
        after=after,
        scope=element.tara.scope,
    )


def record_element(actor: User, action: AuditAction, element: Element, before: Any, after: Any) -> None:
    audit.record_many(actor=actor, entries=[element_entry(action, element, before, after)])


def _merged(data: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """`data` with each key of `changes` set to its value, or removed where the value is None."""
    removed = {key for key, value in changes.items() if value is None}
    return {key: value for key, value in {**data, **changes}.items() if key not in removed}


def kind_of(kind: str) -> Kind:
    if kind not in Kind.values:
        raise Invalid(f"kind {kind!r}: use one of {', '.join(Kind.values)}")
    return Kind(kind)


def locked_element(tara: Tara, kind: Kind, ref: str) -> Element:
    element = Element.objects.select_for_update().filter(tara=tara, kind=kind, ref=ref).first()
    if element is None:
        raise NotFound(f"no {kind.label.lower()} {ref!r} in this TARA")
    element.tara = tara
    return element


@transaction.atomic
def create_element(*, actor: User, tara_id: int, kind: str, data: dict[str, Any]) -> Element:
    """Append a new entry to one list of the TARA (its `id` must be new in the document)."""
    list_kind = kind_of(kind)
    tara = take_for_edit(actor, tara_id)
    ref = str(data.get("id", "")).strip()
    if not ref:
        raise Invalid("a new element needs an id")
    if Element.objects.filter(tara=tara, kind=list_kind, ref=ref).exists():
        one = list_kind.singular
        taken = f"the TARA has {'an' if one[0] in 'aeiou' else 'a'} {one} {ref!r} already"
        raise Conflict(taken, fields={"id": f"{ref} is taken: choose a new id"})
    last = Element.objects.filter(tara=tara, kind=list_kind).aggregate(last=Max("position"))["last"]
    element = Element.objects.create(
        tara=tara,
        kind=list_kind,
        ref=ref,
        position=0 if last is None else last + 1,
        data=data,
        label=mapping.label_of(data, ref),
    )
    try:
        store_entry(tara, element, None)
    except Invalid as exc:
        raise Invalid(exc.detail, fields=_blamed(exc.detail, data)) from None
    element.refresh_from_db(fields=DERIVED_FIELDS)  # keeps the TARA (its findings are large)
    record_element(actor, AuditAction.ELEMENT_CREATED, element, None, data)
    return element


def save_element_data(actor: User, element: Element, data: dict[str, Any], action: AuditAction) -> Element:
    before = element.data
    if data == before:
        return element
    element.data, element.label = data, mapping.label_of(data, element.ref)
    element.save(update_fields=["data", "label"])
    store_entry(element.tara, element, before)
    element.refresh_from_db(fields=DERIVED_FIELDS)  # keeps the TARA (its findings are large)
    record_element(actor, action, element, before, data)
    return element


@transaction.atomic
def update_element(
    *,
    actor: User,
    tara_id: int,
    kind: str,
    ref: str,
    changes: dict[str, Any],
    expected: str | None = None,
    base: str | None = None,
) -> Element:
    """Change fields of an element: each key of `changes` replaces that field; None removes it.
    The id cannot change (references would break): create a new element instead. `expected`: the
    version (`Element.etag`) the change was made from; `Stale` when the element changed since. `base`:
    the older version a form was first made from when its changes are applied again on top of a newer
    one (the conflict page): only the fields that differ from that version's content change, so what
    others changed meanwhile stays (all of `changes` when that content is no longer known)."""
    list_kind = kind_of(kind)
    tara = take_for_edit(actor, tara_id)
    element = locked_element(tara, list_kind, ref)
    versions.check(
        element, ref, expected=expected, current=element.etag, stored=element.data, yours=changes,
        base=lambda: versions.content_at(element, str(expected), element.data),
    )  # fmt: skip
    earlier = versions.content_at(element, base, element.data) if base and base != element.etag else None
    if earlier is not None:
        changes = versions.own_changes(changes, earlier)
    if "id" in changes and changes["id"] != ref:
        raise Invalid("an element's id cannot change: create a new element and move the references")
    try:
        return save_element_data(actor, element, _merged(element.data, changes), AuditAction.ELEMENT_CHANGED)
    except Invalid as exc:
        raise Invalid(exc.detail, fields=_blamed(exc.detail, changes)) from None


def _changed_fields(changes: dict[str, Any]) -> dict[str, list[str]]:
    """Each changed field (a treatment's parts as `treatment.goals`, ...) with its values as text."""
    found: dict[str, list[str]] = {}
    for key, value in changes.items():
        if isinstance(value, dict):
            found |= _changed_fields({f"{key}.{k}": v for k, v in value.items()})
        else:
            found[key] = [str(v) for v in value] if isinstance(value, list) else [str(value)]
    return found


def _blamed(detail: str, changes: dict[str, Any]) -> dict[str, str]:
    """The changed fields the engine's refusal is about: named by their path (`.treatment.goals:`) or by
    a value it quotes ('DS-NOPE'), so that a page can show the problem beside the input."""
    problems = detail.split("; ")
    blamed = {}
    for field, values in _changed_fields(changes).items():
        about = [
            p
            for p in problems
            if f".{field}:" in p or f".{field}." in p or any(f"'{v}'" in p for v in values)
        ]
        if about:
            blamed[field] = "; ".join(about)
    return blamed


@transaction.atomic
def delete_element(*, actor: User, tara_id: int, kind: str, ref: str) -> None:
    """Remove an element; refused (naming them) while other elements refer to it."""
    tara = take_for_edit(actor, tara_id)
    remove_element(actor, locked_element(tara, kind_of(kind), ref), AuditAction.ELEMENT_DELETED)


def remove_element(actor: User, element: Element, action: AuditAction) -> None:
    """Delete a locked element, close the gap in its list and evaluate the TARA (refused while other
    elements refer to it, each named once)."""
    tara = element.tara
    _refuse_if_used(element)
    record_element(actor, action, element, element.data, None)
    position = element.position
    element.delete()
    Element.objects.filter(tara=tara, kind=element.kind, position__gt=position).update(
        position=F("position") - 1
    )
    store_evaluation(tara, selectors.document(tara))


def _refuse_if_used(element: Element) -> None:
    """`Invalid` naming each element that refers to `element` once, with the fields it refers in."""
    used_by = selectors.reference_index(element.tara).referrers(element.kind, element.ref)
    if used_by:
        named = "; ".join(f"{u.ref} ({SINGULAR[u.kind]}: {', '.join(u.fields)})" for u in used_by)
        raise Invalid(
            f"{element.ref} cannot be deleted while {len(used_by)} element(s) refer to it: {named}. "
            "Change them first."
        )


@transaction.atomic
def update_header(*, actor: User, tara_id: int, changes: dict[str, Any], expected: str | None = None) -> Tara:
    """Change the TARA's name, version, method settings or item definition (clause 9.3). `expected`:
    the version (`Tara.etag`) the change was made from; `Stale` when the header changed since."""
    unknown = sorted(set(changes) - set(HEADER_FIELDS))
    if unknown:
        raise Invalid(f"{', '.join(unknown)}: only {', '.join(HEADER_FIELDS)} can change here")
    tara = take_for_edit(actor, tara_id)
    current, stored = tara.etag, tara.header
    versions.check(
        tara, "the TARA's header", expected=expected, current=current, stored=stored, yours=changes
    )
    before = {key: tara.header.get(key) for key in changes}
    header = tara.header = _merged(tara.header, changes)
    tara.save(update_fields=["header", "updated_at"])
    store_evaluation(tara, selectors.document(tara))
    audit.record(
        actor=actor,
        action=AuditAction.TARA_HEADER_CHANGED,
        obj=tara,
        before=before,
        after={key: header.get(key) for key in changes},
        scope=tara.scope,
    )
    return tara
