"""Bulk edits of a list of a TARA: one change to many elements at once (a threat scenario's review status,
its treatment decision, the rationale), for the lists' tick boxes, the generation page and the API; and
removing many elements of any list at once.

All or nothing: every element is checked first and the change is refused as a whole, naming each element
it cannot apply to and why, when any one is refused. Then the rows are written, the TARA is evaluated once
and every changed element gets its own audit record (with its data before and after).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction

from opencsms.core import audit
from opencsms.core.audit import AuditAction
from opencsms.core.bulk_rows import update_rows
from opencsms.core.errors import Invalid, NotFound
from opencsms.core.models import User
from opencsms.engine.tara.model import ReviewStatus, Treatment
from opencsms.tara import mapping, selectors
from opencsms.tara.models import Element, Kind, Tara
from opencsms.tara.selectors.workspace import BULK_FIELDS
from opencsms.tara.services.elements import element_entry, kind_of, record_element
from opencsms.tara.services.evaluation import store_evaluation, take_for_edit

MAX_BULK = 10_000  # elements in one bulk edit (a whole filtered list of a large TARA)
UNTREATED = "untreated"  # as a decision: remove the treatment decision
STATUSES = (ReviewStatus.PROPOSED, ReviewStatus.ACCEPTED, ReviewStatus.REJECTED)
DECISIONS = (*Treatment, UNTREATED)


def _check_changes(kind: Kind, changes: dict[str, Any]) -> dict[str, str]:
    allowed = BULK_FIELDS.get(kind, ())
    if not allowed:
        raise Invalid(f"{kind.label.lower()} have no field to change in bulk")
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise Invalid(f"{', '.join(unknown)}: a bulk edit of {kind.label.lower()} sets {', '.join(allowed)}")
    stripped = {key: "" if value is None else str(value).strip() for key, value in changes.items()}
    wanted = {key: value for key, value in stripped.items() if value}
    if not wanted:
        raise Invalid(f"choose what to change: {', '.join(allowed)}")
    if wanted.get("status", STATUSES[0]) not in STATUSES:
        raise Invalid(f"status {wanted['status']!r}: use one of {', '.join(STATUSES)}")
    if wanted.get("decision", UNTREATED) not in DECISIONS:
        raise Invalid(f"decision {wanted['decision']!r}: use one of {', '.join(DECISIONS)}")
    return wanted


def _treated(treatment: Any, decision: str) -> tuple[dict[str, Any] | None, str]:
    """The treatment with `decision` (`untreated`: without a treatment, which only a bare decision can
    be: goals, claims or a rationale in it would be lost), and why it cannot be ("" when it can)."""
    parts = treatment if isinstance(treatment, dict) else {}
    kept = {key: value for key, value in parts.items() if key != "decision" and value not in (None, "", [])}
    if decision != UNTREATED:
        return {**parts, "decision": decision}, ""
    if kept:
        return parts, f"its treatment names {', '.join(sorted(kept))}: remove them on its page first"
    return None, ""


def threat_change(data: dict[str, Any], wanted: dict[str, str]) -> tuple[dict[str, Any], str]:
    """A threat scenario's data with the bulk change applied, and why it cannot be ("" when it can)."""
    new = {**data}
    for key in ("status", "rationale"):
        if key in wanted:
            new[key] = wanted[key]
    if "decision" in wanted:
        treatment, problem = _treated(data.get("treatment"), wanted["decision"])
        if problem:
            return new, problem
        new.pop("treatment", None)
        new |= {"treatment": treatment} if treatment else {}
    status = str(new.get("status") or ReviewStatus.ACCEPTED)
    if status == ReviewStatus.REJECTED and not str(new.get("rationale") or "").strip():
        return new, "a rejection needs a rationale: say why the threat does not apply"
    if "decision" in wanted and wanted["decision"] != UNTREATED and status != ReviewStatus.ACCEPTED:
        return new, f"it is {status}: only an accepted threat scenario gets a treatment decision"
    return new, ""


CHANGERS: dict[str, Callable[[dict[str, Any], dict[str, str]], tuple[dict[str, Any], str]]] = {
    Kind.THREAT_SCENARIO: threat_change,
}


def _locked(tara: Tara, kind: Kind, refs: list[str]) -> dict[str, Element]:
    """The chosen elements, locked; `NotFound` naming every id the list does not have."""
    if not refs:
        raise Invalid(f"choose at least one {kind.singular}")
    if len(refs) > MAX_BULK:
        raise Invalid(f"{len(refs)} elements: a bulk action takes at most {MAX_BULK}; narrow the filter")
    found = {
        e.ref: e
        for start in range(0, len(refs), 500)
        for e in Element.objects.select_for_update().filter(
            tara=tara, kind=kind, ref__in=refs[start : start + 500]
        )
    }
    missing = [ref for ref in refs if ref not in found]
    if missing:
        raise NotFound(f"no {kind.singular} {', '.join(map(repr, missing))} in this TARA")
    return found


@transaction.atomic
def bulk_delete_elements(*, actor: User, tara_id: int, kind: str, refs: list[str]) -> int:
    """Remove the chosen elements of one list at once: refused as a whole (the engine naming each
    reference that would dangle) while other elements refer to any of them. One evaluation; one audit
    record per element (its data before). Returns how many were removed."""
    list_kind = kind_of(kind)
    wanted = list(dict.fromkeys(refs))
    tara = take_for_edit(actor, tara_id)
    found = _locked(tara, list_kind, wanted)
    for ref in wanted:
        found[ref].tara = tara
        record_element(actor, AuditAction.ELEMENT_DELETED, found[ref], found[ref].data, None)
    Element.objects.filter(pk__in=[e.pk for e in found.values()]).delete()
    rest = list(Element.objects.filter(tara=tara, kind=list_kind).order_by("position").only("id", "position"))
    moved = [e for index, e in enumerate(rest) if e.position != index]
    for index, element in enumerate(rest):
        element.position = index
    Element.objects.bulk_update(moved, ["position"], batch_size=500)
    store_evaluation(tara, selectors.document(tara))
    return len(found)


@transaction.atomic
def bulk_edit_elements(
    *, actor: User, tara_id: int, kind: str, refs: list[str], changes: dict[str, Any]
) -> list[Element]:
    """Set the same fields (`BULK_FIELDS` of the list) on every element of `refs`; refused as a whole,
    naming each element refused, when the change cannot apply to one of them. Returns the elements in
    the order of `refs` (unchanged ones included)."""
    list_kind = kind_of(kind)
    wanted_changes = _check_changes(list_kind, changes)
    wanted = list(dict.fromkeys(refs))
    tara = take_for_edit(actor, tara_id)
    found = _locked(tara, list_kind, wanted)
    changed, refused = [], []
    for ref in wanted:
        element = found[ref]
        data, problem = CHANGERS[list_kind](element.data, wanted_changes)
        if problem:
            refused.append(f"{ref}: {problem}")
        elif data != element.data:
            changed.append((element, element.data, data))
    if refused:
        shown = "; ".join(refused[:20]) + (f"; and {len(refused) - 20} more" if len(refused) > 20 else "")
        raise Invalid(f"nothing changed: {len(refused)} of {len(wanted)} refused: {shown}")
    write_elements(actor, tara, changed, AuditAction.ELEMENT_CHANGED)
    fresh = {
        e.ref: e
        for start in range(0, len(wanted), 500)
        for e in Element.objects.filter(tara=tara, kind=list_kind, ref__in=wanted[start : start + 500])
    }
    return [fresh[ref] for ref in wanted]


def write_elements(
    actor: User, tara: Tara, changed: list[tuple[Element, Any, dict[str, Any]]], action: AuditAction
) -> None:
    """Save the elements' new data, evaluate the TARA once and audit each element as `action`."""
    if not changed:
        return
    for element, _, data in changed:
        element.data, element.label = data, mapping.label_of(data, element.ref)
        element.tara = tara
    update_rows(Element, [e for e, _, _ in changed], ("data", "label"))
    store_evaluation(tara, selectors.document(tara))
    audit.record_many(
        actor=actor, entries=[element_entry(action, e, before, after) for e, before, after in changed]
    )
