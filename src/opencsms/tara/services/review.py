"""Review and approval of a TARA, and baselines (ISO/SAE 21434 6.4.7/6.4.8: work products are reviewed,
approved and kept under configuration management).

draft --submit--> in review --approve--> approved ; in review --withdraw / return--> draft ;
approved --any change--> draft of the next revision (see `evaluation.take_for_edit`).

An approval records who approved, when, and the SHA-256 of the approved document, and freezes that
document as a baseline. Four eyes: nobody approves a revision they submitted or changed, where "changed"
is any audited change of the TARA or its elements since its last approval (the audit trail is the record of
authorship; returning and withdrawing are not changes). The approver names the hash they reviewed, so a
TARA that changed in between is not approved by mistake.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from opencsms.core import audit
from opencsms.core.audit import AuditAction
from opencsms.core.errors import Conflict, Invalid
from opencsms.core.models import User
from opencsms.organisation.access import Perm, permissions, require
from opencsms.tara import selectors
from opencsms.tara.models import Baseline, State, Tara


def _locked(actor: User, tara_id: int, perm: Perm, state: State) -> Tara:
    found = selectors.tara(actor, tara_id)
    require(actor, perm, found.project)
    tara = Tara.objects.select_for_update().select_related("project").get(pk=found.pk)
    if tara.state != state:
        raise Conflict(f"the TARA is {tara.get_state_display().lower()}, not {state.label.lower()}")
    return tara


def _move(actor: User, tara: Tara, state: State, action: AuditAction, reason: str = "") -> Tara:
    before = audit.snapshot(tara)
    tara.state = state
    if state != State.APPROVED:
        tara.submitted_by = actor if state == State.IN_REVIEW else None
        tara.submitted_at = timezone.now() if state == State.IN_REVIEW else None
    tara.save(update_fields=["state", "submitted_by", "submitted_at", "updated_at"])
    audit.record(
        actor=actor,
        action=action,
        obj=tara,
        before=before,
        after=audit.snapshot(tara),
        reason=reason,
        scope=tara.scope,
    )
    return tara


@transaction.atomic
def submit_for_review(*, actor: User, tara_id: int, note: str = "") -> Tara:
    """Send a draft for review; refused while the method rules report errors."""
    tara = _locked(actor, tara_id, Perm.EDIT, State.DRAFT)
    errors = int(tara.summary.get("errors", 0))
    if errors:
        raise Conflict(f"the TARA has {errors} method errors: fix them before sending it for review")
    return _move(actor, tara, State.IN_REVIEW, AuditAction.TARA_SUBMITTED, note)


@transaction.atomic
def withdraw_from_review(*, actor: User, tara_id: int) -> Tara:
    tara = _locked(actor, tara_id, Perm.EDIT, State.IN_REVIEW)
    return _move(actor, tara, State.DRAFT, AuditAction.TARA_WITHDRAWN)


@transaction.atomic
def return_to_draft(*, actor: User, tara_id: int, reason: str) -> Tara:
    """A reviewer sends the TARA back with what must change."""
    if not reason.strip():
        raise Invalid("say what must change: a reason is required")
    tara = _locked(actor, tara_id, Perm.REVIEW, State.IN_REVIEW)
    return _move(actor, tara, State.DRAFT, AuditAction.TARA_RETURNED, reason.strip())


def _freeze(actor: User, tara: Tara, name: str, *, approved: bool) -> Baseline:
    name = name.strip()
    if not name or len(name) > 100:
        raise Invalid("a baseline needs a name of 1 to 100 characters")
    if Baseline.objects.filter(tara=tara, name=name).exists():
        raise Conflict(f"the TARA has a baseline {name!r}")
    now = timezone.now()
    baseline = Baseline.objects.create(
        tara=tara,
        name=name,
        revision=tara.revision,
        content=selectors.export_yaml(tara),
        content_sha256=tara.content_sha256,
        created_by=actor,
        approved_by=actor if approved else None,
        approved_at=now if approved else None,
    )
    audit.record(
        actor=actor,
        action=AuditAction.BASELINE_CREATED,
        obj=baseline,
        after=audit.snapshot(baseline),
        scope=tara.scope,
    )
    return baseline


@transaction.atomic
def approve(*, actor: User, tara_id: int, content_sha256: str, note: str = "") -> Baseline:
    """Approve the revision in review whose document hash is `content_sha256`; returns its baseline."""
    tara = _locked(actor, tara_id, Perm.APPROVE, State.IN_REVIEW)
    if tara.submitted_by_id == actor.pk:
        raise Conflict("four eyes: you submitted this revision, so someone else must approve it")
    if actor.pk in selectors.revision_authors(tara):
        raise Conflict("four eyes: you changed this revision, so someone else must approve it")
    if content_sha256 != tara.content_sha256:
        raise Conflict("the TARA changed since you opened it: review the current content, then approve")
    baseline = _freeze(actor, tara, f"r{tara.revision} approved", approved=True)
    _move(actor, tara, State.APPROVED, AuditAction.TARA_APPROVED, note)
    return baseline


@transaction.atomic
def create_baseline(*, actor: User, tara_id: int, name: str) -> Baseline:
    """Freeze the working state under `name` (any state; needs EDIT or REVIEW on the project)."""
    found = selectors.tara(actor, tara_id)
    held = permissions(actor, found.project)
    if not held & {Perm.EDIT, Perm.REVIEW}:
        raise PermissionDenied("only engineers, reviewers and managers of the project make baselines")
    tara = Tara.objects.select_for_update().get(pk=found.pk)
    return _freeze(actor, tara, name, approved=False)
