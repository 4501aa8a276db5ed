"""Triage of a finding along ISO/SAE 21434 clause 8, with its VEX statement, owner and due date.

The stages: a cybersecurity event (8.3) is evaluated as not relevant or relevant, i.e. a weakness (8.4);
vulnerability analysis (8.5, 8.6) confirms it or not; vulnerability management (8.7) decides to remediate,
mitigate or accept it, always with a rationale. The rules, each refusal naming itself:
- `not_affected` needs a justification (the CISA / CycloneDX list) and fits the stages `not_relevant`,
  `analysed` or `decided`;
- a decision sets the stage `decided` and needs a rationale; accepting needs the VEX status `affected`
  and an expiry (`accepted_until`, the last day the acceptance stands, not already past; it goes with
  accepting only and is cleared when the decision changes): after it the finding reopens
  (`services.acceptance`);
- the stage `decided` needs a decision (and a decision that stage), and `not_relevant` needs a rationale;
- the owner is an active user who may edit the project (`access.holders`, the choices the finding page
  offers); an owner already set is kept as it is;
- a due date a person changes is theirs from then on (`due_from` "person": the SLA no longer moves it);
  clearing it hands it back to the organisation's SLA, which sets it again (`services.sla`).
Every change is audited with the triage fields before and after.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from opencsms.core import audit, versions
from opencsms.core.audit import AuditAction
from opencsms.core.errors import Invalid
from opencsms.core.models import User
from opencsms.organisation.access import Perm, holders, require
from opencsms.vulns import selectors
from opencsms.vulns.models import JUSTIFICATIONS, Decision, Finding, Stage, VexStatus
from opencsms.vulns.services.sla import due_source
from opencsms.vulns.services.step_rating import reverse_finding_links

_UNSET: Any = object()
DATES = ("due_date", "accepted_until")  # None clears them (other fields: the empty string)


def _check_values(finding: Finding) -> None:
    if finding.stage not in Stage.values:
        raise Invalid(f"stage {finding.stage!r}: use one of {', '.join(Stage.values)}")
    if finding.vex_status not in VexStatus.values:
        raise Invalid(f"VEX status {finding.vex_status!r}: use one of {', '.join(VexStatus.values)}")
    if finding.decision not in Decision.values:
        raise Invalid(f"decision {finding.decision!r}: use one of remediate, mitigate, accept")


def _check_vex(finding: Finding) -> None:
    if finding.vex_status == VexStatus.NOT_AFFECTED:
        if finding.justification not in JUSTIFICATIONS:
            raise Invalid(f"not_affected needs a justification: one of {', '.join(JUSTIFICATIONS)}")
        if finding.stage in (Stage.EVENT, Stage.WEAKNESS):
            raise Invalid(
                "not_affected is a conclusion: evaluate (not_relevant) or analyse the finding first"
            )
    elif finding.justification:
        raise Invalid("a justification goes with the VEX status not_affected only")


def _check(finding: Finding) -> None:
    _check_values(finding)
    _check_vex(finding)
    if finding.decision and not finding.rationale.strip():
        raise Invalid("a decision needs a rationale (ISO/SAE 21434 8.7)")
    if finding.decision == Decision.ACCEPT and finding.vex_status != VexStatus.AFFECTED:
        raise Invalid("accepting a vulnerability means it affects the release: set the VEX status affected")
    if finding.decision == Decision.ACCEPT and finding.accepted_until is None:
        raise Invalid("accepting a risk needs an expiry date (accepted until): the finding reopens after it")
    if finding.accepted_until is not None and finding.decision != Decision.ACCEPT:
        raise Invalid("an expiry date (accepted until) goes with the decision accept only")
    if finding.stage == Stage.DECIDED and not finding.decision:
        raise Invalid("the stage decided needs a decision: remediate, mitigate or accept")
    if finding.decision and finding.stage != Stage.DECIDED:
        raise Invalid("a decision is made at the stage decided (ISO/SAE 21434 8.7): choose that stage")
    if finding.stage == Stage.NOT_RELEVANT and not finding.rationale.strip():
        raise Invalid("an event evaluated as not relevant needs a rationale (ISO/SAE 21434 8.4)")


def check_triage(values: Finding) -> None:
    """The rules above on triage values not yet saved (an organisation's decision on a vulnerability)."""
    _check(values)


def owner_for(finding: Finding, owner_id: int | None) -> User | None:
    """Nobody, the finding's owner (kept as it is), or an active user who may edit the project: the
    finding page offers exactly these (`access.holders`)."""
    if owner_id is None:
        return None
    if owner_id == finding.owner_id:
        return finding.owner
    owner = holders(Perm.EDIT, finding.release.project).filter(pk=owner_id).first()
    if owner is None:
        raise Invalid(f"user {owner_id} cannot own this finding (they need to edit the project)")
    return owner


def apply_triage(*, actor: User, finding: Finding, changes: dict[str, Any], action: AuditAction) -> Finding:
    """Set triage fields of a finding the caller locked, check the rules above, save the triage fields and
    audit them before and after as `action`; a change that changes nothing writes nothing."""
    before = audit.snapshot(finding)
    for name, value in due_source(finding, changes).items():
        setattr(finding, name, value)
    _check(finding)
    after = audit.snapshot(finding)
    if after == before:
        return finding
    if after.get("accepted_until") != before.get("accepted_until") and finding.acceptance_expired:
        raise Invalid(f"the expiry date {finding.accepted_until} has passed: accept until a later day")
    finding.version += 1
    finding.save(update_fields=[*Finding.audit_fields, "version", "updated_at"])
    audit.record(actor=actor, action=action, obj=finding, before=before, after=after, scope=finding.scope)
    closed = _closed(finding)
    if closed:
        reverse_finding_links(actor, finding, f"{finding.vulnerability_id} {closed}")
    return finding


def _closed(finding: Finding) -> str:
    """Why a finding no longer rates the TARA (not affected, not relevant, fixed); empty when it does."""
    if finding.vex_status == VexStatus.NOT_AFFECTED:
        return "triaged not affected"
    if finding.stage == Stage.NOT_RELEVANT:
        return "evaluated not relevant"
    if finding.vex_status == VexStatus.FIXED:
        return "fixed"
    return ""


@transaction.atomic
def triage_finding(
    *,
    actor: User,
    finding_id: int,
    stage: str = _UNSET,
    vex_status: str = _UNSET,
    justification: str = _UNSET,
    decision: str = _UNSET,
    rationale: str = _UNSET,
    owner_id: int | None = _UNSET,
    due_date: dt.date | None = _UNSET,
    accepted_until: dt.date | None = _UNSET,
    expected: str | None = None,
    base: str | None = None,
) -> Finding:
    """Change a finding's triage; arguments left out keep their value. `expected`: the version the change
    was made from (`Stale` when the triage changed since); `base`: the older version a form was first
    made from when it is applied again on top of a newer one (only what differs from it changes)."""
    visible = selectors.finding(actor, finding_id)
    require(actor, Perm.EDIT, visible.release.project)
    finding = Finding.objects.select_for_update().select_related("release__project").get(pk=visible.pk)
    given = {
        "stage": stage,
        "vex_status": vex_status,
        "justification": justification,
        "decision": decision,
        "rationale": rationale,
        "due_date": due_date,
        "accepted_until": accepted_until,
        "owner_id": owner_id,
    }
    yours = _rebased(
        finding, {name: value for name, value in given.items() if value is not _UNSET}, expected, base
    )
    changes: dict[str, Any] = {
        name: value if value is not None or name in DATES else ""
        for name, value in yours.items()
        if name != "owner_id"
    }
    if "owner_id" in yours:
        changes["owner"] = owner_for(finding, yours["owner_id"])
    if changes.get("decision") and "stage" not in yours:
        changes["stage"] = Stage.DECIDED
    if "decision" in changes and changes["decision"] != Decision.ACCEPT and "accepted_until" not in yours:
        changes["accepted_until"] = None
    return apply_triage(actor=actor, finding=finding, changes=changes, action=AuditAction.FINDING_TRIAGED)


TRIAGE_ACTIONS = (
    AuditAction.FINDING_TRIAGED.value,
    AuditAction.FINDING_CLOSED_WITHDRAWN.value,
    AuditAction.FINDING_ACCEPTANCE_EXPIRED.value,
    AuditAction.FINDING_CLOSED_COMPONENT_LEFT.value,
    AuditAction.FINDING_CLOSED_NO_LONGER_MATCHED.value,
    AuditAction.FINDING_VEX_APPLIED.value,
    AuditAction.FINDING_DECISION_INHERITED.value,
)


def _triage_at(finding: Finding, version: str | None) -> dict[str, Any] | None:
    """The triage fields at an older version (from the audit trail: `apply_triage` raises the version with
    each record it writes), named as `triage_finding` takes them; None when not known."""
    found = versions.fields_at(finding, version, current=finding.version, actions=TRIAGE_ACTIONS)
    return None if found is None else {"owner_id" if k == "owner" else k: v for k, v in found.items()}


def _rebased(
    finding: Finding, yours: dict[str, Any], expected: str | None, base: str | None
) -> dict[str, Any]:
    """`yours` after the version checks: `Stale` when `expected` is not the current version; with an older
    `base` whose fields are known, only the fields that differ from it."""
    stored = {name: getattr(finding, name) for name in yours}
    versions.check(
        finding, f"the triage of {finding.vulnerability_id}", expected=expected, current=finding.version,
        stored=stored, yours=yours, base=lambda: _triage_at(finding, expected),
    )  # fmt: skip
    earlier = _triage_at(finding, base) if base != finding.etag else None
    return yours if earlier is None else versions.own_changes(yours, earlier)
