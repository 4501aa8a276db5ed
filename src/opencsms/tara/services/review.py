"""Review and approval of a TARA, and baselines (ISO/SAE 21434 6.4.7/6.4.8: work products are reviewed,
approved and kept under configuration management).

draft --submit--> in review --approve--> approved ; in review --withdraw / return--> draft ;
approved --any change--> draft of the next revision (see `evaluation.take_for_edit`).

An approval records who approved, when, and the SHA-256 of the approved document, and freezes that
document as a baseline. Four eyes: nobody approves a revision they submitted or changed, where "changed"
is any audited change of the TARA or its elements since its last approval (the audit trail is the record of
authorship; returning and withdrawing are not changes). The approver names the hash they reviewed, so a
TARA that changed in between is not approved by mistake. With items still open (the
checklist of `selectors.checklist`: untreated risks above acceptance, method errors and warnings,
uncovered Annex 5 threats, undecided proposals) the approver must acknowledge them with a rationale; the
baseline keeps the open counts and the rationale, and so does the audit record.

The people concerned are told (core.notices, in the app and by the configured channels): the project's
reviewers and managers of a submission, with its note; the submitter of a return, with its reason, and of
an approval. The note and the reason stay on the TARA for its review card and the dashboards.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from opencsms.core import audit, notices
from opencsms.core.audit import AuditAction
from opencsms.core.errors import Conflict, Invalid
from opencsms.core.models import User
from opencsms.organisation.access import Perm, holders, permissions, require
from opencsms.organisation.models import Role
from opencsms.tara import selectors
from opencsms.tara.models import Baseline, State, Tara


def _locked(actor: User, tara_id: int, perm: Perm, state: State) -> Tara:
    found = selectors.tara(actor, tara_id)
    require(actor, perm, found.project)
    tara = Tara.objects.select_for_update().select_related("project").get(pk=found.pk)
    if tara.state != state:
        raise Conflict(f"the TARA is {tara.get_state_display().lower()}, not {state.label.lower()}")
    return tara


REVIEWING_ROLES = (Role.REVIEWER, Role.CYBERSECURITY_MANAGER)  # told of a submission
REVIEW_FIELDS = ["submitted_by", "submitted_at", "review_note"]
RETURN_FIELDS = ["returned_to", "returned_by", "returned_at", "return_reason"]


def _returned(actor: User, tara: Tara, reason: str) -> None:
    tara.returned_to, tara.returned_by = tara.submitted_by, actor
    tara.returned_at, tara.return_reason = timezone.now(), reason


def _move(actor: User, tara: Tara, state: State, action: AuditAction, reason: str = "") -> Tara:
    before = audit.snapshot(tara)
    if action == AuditAction.TARA_RETURNED:
        _returned(actor, tara, reason)
    elif state == State.IN_REVIEW:
        tara.returned_to = tara.returned_by = tara.returned_at = None
        tara.return_reason = ""
    tara.state = state
    if state != State.APPROVED:
        tara.submitted_by = actor if state == State.IN_REVIEW else None
        tara.submitted_at = timezone.now() if state == State.IN_REVIEW else None
        tara.review_note = reason if state == State.IN_REVIEW else ""
    tara.save(update_fields=["state", *REVIEW_FIELDS, *RETURN_FIELDS, "updated_at"])
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
    _move(actor, tara, State.IN_REVIEW, AuditAction.TARA_SUBMITTED, note.strip())
    reviewers = holders(Perm.REVIEW, tara.project, roles=REVIEWING_ROLES).exclude(pk=actor.pk).order_by("pk")
    said = f": {note.strip()}" if note.strip() else ""
    notices.send(
        users=reviewers,
        project=tara.project,
        message=f"{tara} was sent for review by {actor.get_username()}{said}",
        subject=tara,
    )
    return tara


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
    _move(actor, tara, State.DRAFT, AuditAction.TARA_RETURNED, reason.strip())
    notices.send(
        users=[tara.returned_to] if tara.returned_to else [],
        project=tara.project,
        message=f"{tara} was returned to draft by {actor.get_username()}: {reason.strip()}",
        subject=tara,
    )
    return tara


def _freeze(
    actor: User, tara: Tara, name: str, *, approved: bool, **approval: str | dict[str, int]
) -> Baseline:
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
        **approval,
    )
    audit.record(
        actor=actor,
        action=AuditAction.BASELINE_CREATED,
        obj=baseline,
        after=audit.snapshot(baseline),
        scope=tara.scope,
    )
    return baseline


def _acknowledged(tara: Tara, acknowledged: bool, rationale: str) -> selectors.Checklist:
    """The open items of the checklist, once the approver acknowledged them with a rationale."""
    found = selectors.checklist(tara)
    if found.open and not acknowledged:
        raise Conflict(
            f"the TARA has open items ({found.describe()}): acknowledge them with a rationale to approve it"
        )
    if found.open and not rationale:
        raise Invalid("say why you approve with open items: a rationale is required")
    return found


@transaction.atomic
def approve(
    *,
    actor: User,
    tara_id: int,
    content_sha256: str,
    note: str = "",
    acknowledged: bool = False,
    rationale: str = "",
) -> Baseline:
    """Approve the revision in review whose document hash is `content_sha256`; returns its baseline.

    With items open (`selectors.checklist`) the approver acknowledges them (`acknowledged`) and says why
    (`rationale`); both are kept in the baseline and the audit record."""
    tara = _locked(actor, tara_id, Perm.APPROVE, State.IN_REVIEW)
    if tara.submitted_by_id == actor.pk:
        raise Conflict("four eyes: you submitted this revision, so someone else must approve it")
    if actor.pk in selectors.revision_authors(tara):
        raise Conflict("four eyes: you changed this revision, so someone else must approve it")
    if content_sha256 != tara.content_sha256:
        raise Conflict("the TARA changed since you opened it: review the current content, then approve")
    note, rationale = note.strip(), rationale.strip()
    found = _acknowledged(tara, acknowledged, rationale)
    baseline = _freeze(
        actor,
        tara,
        f"r{tara.revision} approved",
        approved=True,
        approval_note=note,
        open_items=found.counts(),
        acknowledgement=rationale,
    )
    said = f"open items acknowledged ({found.describe()}): {rationale}" if found.open else ""
    _move(actor, tara, State.APPROVED, AuditAction.TARA_APPROVED, "\n".join(filter(None, [note, said])))
    notices.send(
        users=[tara.submitted_by] if tara.submitted_by else [],
        project=tara.project,
        message=f"{tara} was approved by {actor.get_username()}" + (f", {said}" if said else ""),
        subject=tara,
    )
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
