"""The audit trail: `record()` appends a hash-chained `ChangeRecord`; `verify_chain()` finds tampering.

Every mutating service calls `record()` inside its transaction, with the acting user (required) and an
`AuditAction`. The correlation id of the request, CLI command or task is taken from a context variable that
the middleware, the CLI and the task wrapper set with `correlation()`.

Each record's `hash` is the HMAC-SHA256, with a key kept outside the database (`core.audit_key`), of a
canonical JSON of all its other fields, `prev_hash` included (`core.audit_hash`), so editing a record breaks
its own hash, deleting, inserting or reordering records breaks the links, and nobody without the key can
recompute them. The chain head is signed too. Cutting records off the end or emptying the chain is found
against a signed checkpoint kept outside the database (`core.checkpoints`).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from enum import StrEnum
from typing import Any, NamedTuple

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from opencsms.core.audit_hash import (
    KEYED_CHAIN_STARTED,
    head_text,
    keyed_hash,
    legacy_hash,
    to_milliseconds,
)
from opencsms.core.audit_key import matches, sign
from opencsms.core.bulk_rows import insert_rows
from opencsms.core.models import GENESIS_HASH, AuditChainHead, ChangeRecord, User


class AuditAction(StrEnum):
    """Every audited action, named by what happened. Domain apps add theirs here (one vocabulary)."""

    USER_CREATED = "user.created"
    USER_UPDATED = "user.updated"
    USER_PASSWORD_CHANGED = "user.password_changed"  # noqa: S105 - an action name, not a secret
    USER_PASSWORD_RESET = "user.password_reset"  # noqa: S105
    USER_DEACTIVATED = "user.deactivated"
    USER_ACTIVATED = "user.activated"
    TOKEN_CREATED = "api_token.created"  # noqa: S105 - an action name, not a secret
    TOKEN_REVOKED = "api_token.revoked"  # noqa: S105
    TOTP_ENABLED = "user.second_factor_enabled"
    TOTP_DISABLED = "user.second_factor_disabled"
    TOTP_RECOVERY_CODE_USED = "user.recovery_code_used"
    TOTP_RESET = "user.second_factor_reset"  # removed by a superuser (a lost authenticator and codes)
    ORGANISATION_CREATED = "organisation.created"
    BUSINESS_UNIT_CREATED = "business_unit.created"
    PROJECT_CREATED = "project.created"
    MEMBER_ADDED = "membership.added"
    MEMBER_ROLE_CHANGED = "membership.role_changed"
    MEMBER_REMOVED = "membership.removed"
    TARA_CREATED = "tara.created"  # an empty TARA started from the project page or the API
    TARA_IMPORTED = "tara.imported"
    TARA_REPLACED = "tara.replaced"
    TARA_IMPORT_REQUESTED = "tara.import_requested"
    TARA_IMPORT_STALLED = "tara.import_stalled"  # its worker stopped: retried or failed by the sweep
    TARA_REVISION_STARTED = "tara.revision_started"
    TARA_SUBMITTED = "tara.submitted_for_review"
    TARA_WITHDRAWN = "tara.withdrawn_from_review"
    TARA_RETURNED = "tara.returned_to_draft"
    TARA_APPROVED = "tara.approved"
    TARA_HEADER_CHANGED = "tara.header_changed"
    THREATS_GENERATED = "tara.threats_generated"
    RULE_FILE_ADDED = "tara_rule_file.added"
    RULE_FILE_REPLACED = "tara_rule_file.replaced"
    RULE_FILE_DELETED = "tara_rule_file.deleted"
    ELEMENT_CREATED = "tara_element.created"
    ELEMENT_CHANGED = "tara_element.changed"
    ELEMENT_DELETED = "tara_element.deleted"
    ATTACK_TREE_EDITED = "tara_element.attack_tree_edited"
    ELEMENT_UNDONE = "tara_element.undone"  # the inverse of the element's last audited change
    BASELINE_CREATED = "tara_baseline.created"
    COMMENT_ADDED = "tara_comment.added"
    LOGIN_LOCKED_OUT = "auth.login_locked_out"
    RELEASE_CREATED = "vulns_release.created"
    RELEASE_SBOM_REPLACED = "vulns_release.sbom_replaced"  # a new SBOM revision: components diffed
    ADVISORIES_IMPORTED = "vulns_advisories.imported"
    ADVISORY_SOURCE_CREATED = "vulns_advisory_source.created"
    SOURCE_SYNC_STALLED = "vulns_advisory_source.sync_stalled"  # its worker stopped: failed by the sweep
    SOURCE_SCHEDULED = "vulns_advisory_source.scheduled"  # its schedule set, changed or turned off
    FINDING_TRIAGED = "vulns_finding.triaged"
    FINDING_LINKED_TO_TARA = "vulns_finding.linked_to_tara"
    FINDING_CLOSED_WITHDRAWN = "vulns_finding.closed_withdrawn"
    FINDING_ACCEPTANCE_EXPIRED = "vulns_finding.acceptance_expired"  # reopened: back to triage
    FINDING_CLOSED_COMPONENT_LEFT = "vulns_finding.closed_component_left"  # an SBOM revision dropped it
    FINDING_CLOSED_NO_LONGER_MATCHED = "vulns_finding.closed_no_longer_matched"  # an advisory's new revision
    FINDING_VEX_APPLIED = "vulns_finding.vex_applied"  # a statement of an imported VEX document
    FINDING_DECISION_INHERITED = "vulns_finding.decision_inherited"  # a new finding took its vulnerability's
    VULNERABILITY_TRIAGED = "vulns_vulnerability.triaged"  # an organisation's decision on a vulnerability
    TRIAGE_EXCEPTION_SET = "vulns_triage_exception.set"  # a release keeps its own triage of a vulnerability
    TRIAGE_EXCEPTION_REMOVED = "vulns_triage_exception.removed"
    VEX_IMPORTED = "vulns_vex.imported"
    FINDINGS_REMATCHED = "vulns_findings.rematched"  # a portfolio re-matched after a matching change
    TARA_LOOP_RULE_SET = "vulns_tara_loop_rule.set"
    SLA_POLICY_SET = "vulns_sla_policy.set"  # an organisation's remediation service levels
    FINDING_DUE_DATES_RECOMPUTED = "vulns_findings.due_dates_recomputed"  # by a changed SLA, with counts
    FINDING_ESCALATED = "vulns_finding.escalated"  # overdue past the SLA's delay: owner and managers told
    STEP_LINK_PROPOSED = "vulns_step_link.proposed"
    STEP_LINK_APPLIED = "vulns_step_link.applied"
    STEP_LINK_REJECTED = "vulns_step_link.rejected"
    STEP_LINK_REVERSED = "vulns_step_link.reversed"
    EXPLOITATION_IMPORTED = "vulns_exploitation.imported"
    INCIDENT_PLAN_SAVED = "incidents_plan.saved"  # a new revision of an incident response plan
    INCIDENT_OPENED = "incidents_incident.opened"
    INCIDENT_CHANGED = "incidents_incident.changed"  # its facts, links or status (not closure)
    INCIDENT_CLOSED = "incidents_incident.closed"  # closure criteria confirmed, closing note
    INCIDENT_ENTRY_ADDED = "incidents_timeline_entry.added"
    INCIDENT_ACTION_ADDED = "incidents_remedial_action.added"
    INCIDENT_ACTION_DONE = "incidents_remedial_action.done"
    INCIDENT_COMMUNICATION_RECORDED = "incidents_communication.recorded"
    AUDIT_CHAIN_KEYED = KEYED_CHAIN_STARTED  # written once, by the upgrade (core.audit_hash)
    AUDIT_CHECKPOINT_DELIVERED = "audit_checkpoint.delivered"  # a signed checkpoint sent to a target


_correlation_id: ContextVar[str] = ContextVar("opencsms_correlation_id", default="")
_CORRELATION_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def current_correlation_id() -> str:
    return _correlation_id.get()


def clean_correlation_id(value: str | None) -> str | None:
    """The given id if it is a safe token of at most 64 characters, else None."""
    return value if value and _CORRELATION_ID.match(value) else None


@contextmanager
def correlation(correlation_id: str | None = None) -> Iterator[str]:
    """Bind a correlation id (a new one if none is given or it is unsafe) for the records written inside."""
    value = clean_correlation_id(correlation_id) or uuid.uuid4().hex
    token = _correlation_id.set(value)
    try:
        yield value
    finally:
        _correlation_id.reset(token)


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The values of the model's declared `audit_fields` (a foreign key as its id), JSON-safe."""
    names: tuple[str, ...] = getattr(type(obj), "audit_fields", ())
    fields = [obj._meta.get_field(name) for name in names]
    values = {field.name: field.value_from_object(obj) for field in fields if isinstance(field, models.Field)}
    safe: dict[str, Any] = _json_safe(values)
    return safe


def record(
    *,
    actor: User,
    action: AuditAction,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    scope: str = "",
) -> ChangeRecord:
    """Append one record to the chain. Must run inside the caller's transaction (services are atomic)."""
    if obj is not None:
        object_type, object_id, object_repr = obj._meta.label_lower, str(obj.pk), str(obj)
    entry = Entry(action, object_type, object_id, object_repr, before, after, reason, scope)
    return record_many(actor=actor, entries=[entry])[0]


class Entry(NamedTuple):
    """One record of `record_many`: what `record()` takes, the object named by type, id and text."""

    action: AuditAction
    object_type: str
    object_id: str
    object_repr: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    reason: str = ""
    scope: str = ""


def record_many(*, actor: User, entries: Sequence[Entry]) -> list[ChangeRecord]:
    """Append records to the chain in their order, by one actor, with the head locked and written once:
    the same records, links and hashes as one `record()` each (a bulk change of thousands of elements
    took seconds of head updates). Must run inside the caller's transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record() must run inside a transaction (call it from an atomic service)")
    for entry in entries:
        if not isinstance(entry.action, AuditAction):
            raise TypeError(f"unknown audit action {entry.action!r}: add it to core.audit.AuditAction")
    if actor is None or actor.pk is None:
        raise ValueError("audit.record() needs a saved actor (use a system user for automated changes)")
    if not entries:
        return []
    head = _locked_head()
    now = to_milliseconds(timezone.now())
    name, correlation_id = actor.get_username(), current_correlation_id()
    made = []
    for entry in entries:
        row = ChangeRecord(
            seq=head.seq + 1,
            time=now,
            actor=actor,
            actor_name=name,
            action=entry.action.value,
            object_type=entry.object_type,
            object_id=entry.object_id,
            object_repr=entry.object_repr[:200],
            scope=entry.scope,
            before=None if entry.before is None else _json_safe(entry.before),
            after=None if entry.after is None else _json_safe(entry.after),
            reason=entry.reason,
            correlation_id=correlation_id,
            prev_hash=head.hash,
        )
        row.hash = keyed_hash(row)
        head.seq, head.hash = row.seq, row.hash
        made.append(row)
    if len(made) == 1:
        made[0].save(force_insert=True)
    else:  # executemany: bulk_create compiled each value (half of a 2,000-record append)
        insert_rows(ChangeRecord, made, unique=("seq",), by="seq")
    head.signature = sign(head_text(head.seq, head.hash))
    head.save(update_fields=["seq", "hash", "signature"])
    return made


def _locked_head() -> AuditChainHead:
    """Lock the chain head row; concurrent writers wait here and then see the head the winner left."""
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is not None:
        return head
    try:  # the first record ever; a racing first writer waits on the primary key, then locks the winner's row
        with transaction.atomic():
            return AuditChainHead.objects.create(pk=1)
    except IntegrityError:
        return AuditChainHead.objects.select_for_update().get(pk=1)


def verify_chain() -> list[str]:
    """Human-readable problems of the audit chain: edited, deleted, inserted or reordered records."""
    problems: list[str] = []
    expected_seq, prev_hash = 1, GENESIS_HASH
    marker = ChangeRecord.objects.filter(action=KEYED_CHAIN_STARTED).order_by("seq").first()
    keyed_from = 0 if marker is None else marker.seq  # records before the marker are legacy (unkeyed)
    for entry in ChangeRecord.objects.order_by("seq").iterator(chunk_size=2000):
        if entry.seq != expected_seq:
            problems.append(_gap(expected_seq, entry.seq))
        elif entry.prev_hash != prev_hash:
            problems.append(
                f"record #{entry.seq}: its link (prev_hash) does not match record #{entry.seq - 1}"
                " (records replaced, reordered or their hashes changed)"
            )
        expected = keyed_hash(entry) if entry.seq >= keyed_from else legacy_hash(entry)
        if expected != entry.hash:
            problems.append(f"record #{entry.seq}: its content does not match its hash (edited)")
        expected_seq, prev_hash = entry.seq + 1, entry.hash
    problems.extend(_head_problems(expected_seq - 1, prev_hash))
    return problems


def _gap(expected: int, found: int) -> str:
    missing = f"#{expected}" if found == expected + 1 else f"#{expected} to #{found - 1}"
    return f"records {missing} are missing (deleted)"


def _head_problems(last_seq: int, last_hash: str) -> list[str]:
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is None:
        return [] if last_seq == 0 else ["the chain head is missing (deleted)"]
    if head.seq != last_seq or head.hash != last_hash:
        return [
            f"the chain ends at record #{last_seq} but its head says #{head.seq} (records deleted at the end)"
        ]
    if head.seq and not matches(head_text(head.seq, head.hash), head.signature):
        return ["the chain head is not signed with the audit key (moved back or forged)"]
    return []


def as_recorded(value: Any) -> Any:
    """`value` as a record's `before`/`after` holds it (JSON, floats as text): to compare with a record."""
    return _json_safe(value)


def _json_safe(value: Any) -> Any:
    """JSON values only; floats become strings (their `repr`, as JSON writes them; NaN "nan"), so the
    hash survives PostgreSQL's jsonb number format. The JSON reader turns them into text as it reads."""
    text = json.dumps(value, cls=DjangoJSONEncoder)
    return json.loads(text, parse_float=str, parse_constant=_constant_as_text)


def _constant_as_text(name: str) -> str:
    return repr(float(name))  # NaN, Infinity, -Infinity: "nan", "inf", "-inf" as repr() writes them
