"""What every write of a TARA shares: taking the TARA for a change, and evaluating what it became.

- `take_for_edit` checks `EDIT` on the project, locks the row, refuses while the TARA is in review, and
  starts a new revision when it was approved (ISO/SAE 21434 6.4.7: an approved work product changes only
  through a new revision).
- `store_evaluation` reads the whole document with the engine and evaluates it (import, generation,
  header changes, deletions: `working.build`, which keeps it); every row's derived values are compared
  and the stale ones written.
- `store_entry`, after one entry changed or was appended: the engine checks that entry against the
  TARA's working state (`working.kept`) and rates again only what the change touches (`working.advance`);
  only the rows whose derived values can change are read. Without a working state in this process (its
  first edit of the TARA), it is `store_evaluation`.
Both refuse a document the engine refuses with `Invalid` naming the problems, so the service's
transaction rolls back and the stored TARA stays valid; both store the same derived values, summary,
findings and content hash (tests/tara/test_incremental_edits.py).
"""

from __future__ import annotations

from typing import Any

from opencsms.core import audit
from opencsms.core.audit import AuditAction
from opencsms.core.bulk_rows import update_rows
from opencsms.core.errors import Conflict, from_engine
from opencsms.core.models import User
from opencsms.engine import ParseError, TaraResult
from opencsms.organisation.access import Perm, require
from opencsms.tara import mapping, selectors, working
from opencsms.tara.models import Element, State, Tara
from opencsms.tara.working import Working

DERIVED_FIELDS = ("risk", "residual_risk", "feasibility", "impact", "cal", "status")


def take_for_edit(actor: User, tara_id: int) -> Tara:
    found = selectors.tara(actor, tara_id)
    require(actor, Perm.EDIT, found.project)
    tara = Tara.objects.select_for_update().select_related("project").defer("findings").get(pk=found.pk)
    if tara.state == State.IN_REVIEW:
        raise Conflict("the TARA is in review: withdraw it, or have it returned to draft, before changing it")
    if tara.state == State.APPROVED:
        before = audit.snapshot(tara)
        tara.state, tara.revision = State.DRAFT, tara.revision + 1
        tara.submitted_by, tara.submitted_at = None, None
        tara.save(update_fields=["state", "revision", "submitted_by", "submitted_at", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditAction.TARA_REVISION_STARTED,
            obj=tara,
            before=before,
            after=audit.snapshot(tara),
            scope=tara.scope,
        )
    return tara


def store_evaluation(tara: Tara, document: dict[str, Any]) -> TaraResult:
    """Evaluate the TARA's `document` (its rows already saved) and store what the engine derives."""
    try:
        state = working.build(tara, document)
    except ParseError as exc:
        raise from_engine(exc) from None
    derived = mapping.document_derived(state.result, document)
    stale = []
    for element_id, kind, ref, *values in Element.objects.filter(tara=tara).values_list(
        "id", "kind", "ref", *DERIVED_FIELDS
    ):
        new = derived.get((kind, ref), mapping.Derived())
        if tuple(values) != tuple(new):
            stale.append(Element(id=element_id, **new._asdict()))
    update_rows(Element, stale, DERIVED_FIELDS)
    _store(tara, state, None)
    return state.result


def store_entry(tara: Tara, element: Element, before: dict[str, Any] | None) -> TaraResult:
    """Evaluate the TARA after `element`'s data (saved) changed from `before` (None: it was appended)."""
    previous = working.kept(tara)
    if previous is None:
        return store_evaluation(tara, selectors.document(tara))
    try:
        state = working.advance(tara, previous, element, before, document=lambda: selectors.document(tara))
    except ParseError as exc:
        raise from_engine(exc) from None
    _store_rows(tara, state.result, mapping.touched(previous.result, state.result), element)
    _store(tara, state, previous)
    return state.result


def _store_rows(tara: Tara, result: TaraResult, changed: set[tuple[str, str]], edited: Element) -> None:
    """Write the derived values of the `edited` row and of the `changed` (kind, ref) rows that differ. A
    row's status comes from its own data, so only the edited row's can change: the others keep theirs,
    and their data is not read."""
    edited_key = (str(edited.kind), edited.ref)
    refs: dict[str, list[str]] = {}
    for kind, ref in changed | {edited_key}:
        refs.setdefault(kind, []).append(ref)
    rows = [
        row
        for kind, some in refs.items()
        for start in range(0, len(some), 500)
        for row in Element.objects.filter(
            tara=tara, kind=kind, ref__in=some[start : start + 500]
        ).values_list("id", "kind", "ref", *DERIVED_FIELDS)
    ]
    statuses = {(kind, ref): values[-1] for _, kind, ref, *values in rows}
    statuses[edited_key] = mapping.status_of(edited_key[0], edited.data)
    derived = mapping.derived(result, ((kind, ref, status) for (kind, ref), status in statuses.items()))
    stale = [
        Element(id=element_id, **derived[(kind, ref)]._asdict())
        for element_id, kind, ref, *values in rows
        if tuple(values) != tuple(derived[(kind, ref)])
    ]
    Element.objects.bulk_update(stale, DERIVED_FIELDS, batch_size=500)


def _store(tara: Tara, state: Working, previous: Working | None) -> None:
    """Summary, findings (when they changed) and content hash of the working `state` onto the TARA."""
    result = state.result
    acceptance = int((tara.header.get("method") or {}).get("acceptance", 1))
    tara.summary = mapping.summary(result, acceptance)
    tara.summary["statuses"] = selectors.statuses(tara)  # after the rows were written
    fields = ["summary", "content_sha256", "name", "updated_at"]
    if previous is None or result.findings != previous.result.findings:
        tara.findings = mapping.findings(result)
        tara.findings_head = tara.findings[: mapping.FINDINGS_HEAD]
        fields += ["findings", "findings_head"]
    tara.content_sha256 = state.sha256
    tara.name = str(tara.header.get("name", tara.name))[:200]
    tara.save(update_fields=fields)
