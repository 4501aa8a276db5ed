"""What every write of a TARA shares: taking the TARA for a change, and evaluating what it became.

- `take_for_edit` checks `EDIT` on the project, locks the row, refuses while the TARA is in review, and
  starts a new revision when it was approved (ISO/SAE 21434 6.4.7: an approved work product changes only
  through a new revision).
- `store_evaluation` rebuilds the engine model from the document and evaluates it. A document the engine
  refuses (a dangling reference, a bad rating) raises `Invalid` naming the problems, so the service's
  transaction rolls back and the stored TARA stays valid. What it derives is written onto the rows.
"""

from __future__ import annotations

from typing import Any

from opencsms.core import audit
from opencsms.core.audit import AuditAction
from opencsms.core.errors import Conflict, Invalid
from opencsms.core.models import User
from opencsms.engine import ParseError, TaraResult, evaluate
from opencsms.engine.tara_as_code import parse_data
from opencsms.products.access import Perm, require
from opencsms.tara import mapping, selectors
from opencsms.tara.models import Element, State, Tara

_DERIVED_FIELDS = ("risk", "residual_risk", "feasibility", "impact", "cal", "status")
MAX_SHOWN_PROBLEMS = 10


def take_for_edit(actor: User, tara_id: int) -> Tara:
    found = selectors.tara(actor, tara_id)
    require(actor, Perm.EDIT, found.project)
    tara = Tara.objects.select_for_update().select_related("project").get(pk=found.pk)
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


def checked(document: dict[str, Any], what: str) -> TaraResult:
    """The evaluation of `document`, or `Invalid` with the engine's problems (at most ten shown)."""
    try:
        model, profile = parse_data(document, what)
    except ParseError as exc:
        shown = [f"{p.rule}: {p.message}" for p in exc.problems[:MAX_SHOWN_PROBLEMS]]
        more = len(exc.problems) - len(shown)
        suffix = f"; and {more} more" if more > 0 else ""
        raise Invalid("; ".join(shown) + suffix) from None
    return evaluate(model, profile)


def store_evaluation(tara: Tara, document: dict[str, Any]) -> TaraResult:
    """Evaluate the TARA's `document` (its rows already saved) and store what the engine derives."""
    result = checked(document, tara.name)
    rows = (
        (kind.value, str(entry.get("id", "")), entry)
        for kind in mapping.KINDS
        for entry in document.get(kind.value) or []
    )
    derived = mapping.derived(result, rows)
    stale = []
    for element_id, kind, ref, *values in Element.objects.filter(tara=tara).values_list(
        "id", "kind", "ref", *_DERIVED_FIELDS
    ):
        new = derived.get((kind, ref), mapping.Derived())
        if tuple(values) != tuple(new):
            stale.append(Element(id=element_id, **new._asdict()))
    Element.objects.bulk_update(stale, _DERIVED_FIELDS, batch_size=500)
    acceptance = int((tara.header.get("method") or {}).get("acceptance", 1))
    statuses: dict[str, set[str]] = {}
    for (kind, _ref), values in derived.items():
        if values.status:
            statuses.setdefault(kind, set()).add(values.status)
    tara.summary = mapping.summary(result, acceptance)
    tara.summary["statuses"] = {kind: sorted(found) for kind, found in statuses.items()}
    tara.findings = mapping.findings(result)
    tara.findings_head = tara.findings[: mapping.FINDINGS_HEAD]
    tara.content_sha256 = mapping.content_sha256(document)
    tara.name = str(tara.header.get("name", tara.name))[:200]
    tara.save(update_fields=["summary", "findings", "findings_head", "content_sha256", "name", "updated_at"])
    return result
