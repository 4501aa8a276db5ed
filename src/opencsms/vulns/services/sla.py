"""Remediation service levels (SLAs): an organisation's policy and the due dates it gives its findings.

- `set_sla_policy`: the organisation's administrators (ADMINISTER) set its days by severity, for KEV and
  before escalation; checked (`engine.catalogue.sla.SlaTerms`), guarded by its version, audited; then
  every open finding of the organisation whose due date came from the SLA gets the new one, in one bulk
  update audited once with its counts (`vulns_findings.due_dates_recomputed`).
- `apply_sla`: matching (a new finding; a merge that changed its severity) and the KEV import (a changed
  KEV flag) set the due date of SLA-derived findings in memory before they write them: detected (the
  finding's creation day) plus the days of its severity, at most the KEV days when it is in KEV.
- `due_source`: a triage that changes the due date makes it a person's (kept from then on); clearing it
  hands it back to the SLA, which sets it again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from pydantic import ValidationError

from opencsms.core import audit, versions
from opencsms.core.audit import AuditAction
from opencsms.core.errors import Invalid
from opencsms.core.models import User
from opencsms.engine.catalogue.sla import SlaTerms, due_on
from opencsms.organisation import selectors as organisation_selectors
from opencsms.organisation.access import Perm, require
from opencsms.organisation.models import Level, Organisation
from opencsms.vulns.models import Finding
from opencsms.vulns.models.sla import TERMS, DueFrom, SlaPolicy
from opencsms.vulns.selectors.sla import open_q, terms_for

BATCH = 1000


def _detected(finding: Finding) -> dt.date:
    return timezone.localdate(finding.created_at) if finding.created_at else timezone.localdate()


def sla_due(finding: Finding, terms: SlaTerms) -> dt.date:
    """The due date the SLA gives a finding (detected + the days of its severity, KEV capped)."""
    return due_on(_detected(finding), terms, finding.severity, finding.kev)


def apply_sla(rows: Iterable[Finding], terms: SlaTerms) -> list[Finding]:
    """Set the SLA's due date on the rows whose date is the SLA's (in memory); the rows it changed."""
    changed = []
    for row in rows:
        if row.due_from != DueFrom.SLA:
            continue
        due = sla_due(row, terms)
        if row.due_date != due:
            row.due_date = due
            changed.append(row)
    return changed


def due_source(finding: Finding, changes: dict[str, Any]) -> dict[str, Any]:
    """`changes` of a triage with who sets the due date: a changed date is a person's; a cleared one goes
    back to the SLA, which gives it again (see the module)."""
    if "due_date" not in changes or "due_from" in changes:
        return changes
    if changes["due_date"] is None:
        terms = terms_for(finding.release.project.business_unit.organisation_id)
        return {**changes, "due_from": DueFrom.SLA, "due_date": sla_due(finding, terms)}
    if changes["due_date"] != finding.due_date:
        return {**changes, "due_from": DueFrom.PERSON}
    return changes


def recompute_due_dates(organisation_id: int, terms: SlaTerms) -> dict[str, int]:
    """The SLA's due date on every open SLA-derived finding of the organisation (bulk, not audited here:
    the caller's record names the counts): how many were checked and changed."""
    rows = Finding.objects.filter(
        open_q(), release__project__business_unit__organisation_id=organisation_id, due_from=DueFrom.SLA
    ).only("pk", "severity", "kev", "created_at", "due_date", "due_from")
    checked, changed = 0, []
    for row in rows.order_by("pk").iterator(BATCH):
        checked += 1
        changed += apply_sla([row], terms)
    Finding.objects.bulk_update(changed, ["due_date"], batch_size=BATCH)
    return {"open_from_sla": checked, "changed": len(changed)}


def _checked_terms(values: dict[str, int]) -> SlaTerms:
    try:
        return SlaTerms(**values)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise Invalid(f"the SLA cannot be saved: {problems}") from None


@transaction.atomic
def set_sla_policy(
    *, actor: User, organisation_id: int, terms: dict[str, int], expected: str | None = None
) -> SlaPolicy:
    """Set the organisation's SLA (`terms`: days by `critical`, `high`, `medium`, `low`, `unknown`,
    `kev`, `escalation`); `expected`: the version it was changed from ("0": the defaults), `Stale` when
    it changed since. Recomputes the open SLA-derived due dates (see the module)."""
    organisation = organisation_selectors.level(actor, Level.ORGANISATION, organisation_id)
    assert isinstance(organisation, Organisation)
    require(actor, Perm.ADMINISTER, organisation)
    unknown = sorted(set(terms) - set(TERMS))
    if unknown:
        raise Invalid(f"{', '.join(unknown)}: an SLA has {', '.join(TERMS)}")
    policy = SlaPolicy.objects.select_for_update().filter(organisation=organisation).first()
    current = terms_for(organisation.pk).model_dump()
    versions.check(
        policy or organisation, "the SLA of the organisation", expected=expected,
        current=policy.version if policy else 0, stored=current, yours=terms,
    )  # fmt: skip
    wanted = _checked_terms({**current, **terms})
    if policy is not None and wanted.model_dump() == current:
        return policy
    before = audit.snapshot(policy) if policy else None
    policy = policy or SlaPolicy(organisation=organisation, version=0)
    for name, value in wanted.model_dump().items():
        setattr(policy, name, value)
    policy.version += 1
    policy.updated_by = actor
    policy.save()
    audit.record(
        actor=actor, action=AuditAction.SLA_POLICY_SET, obj=policy, before=before,
        after=audit.snapshot(policy), scope=policy.scope,
    )  # fmt: skip
    counts = recompute_due_dates(organisation.pk, wanted)
    audit.record(
        actor=actor, action=AuditAction.FINDING_DUE_DATES_RECOMPUTED, obj=organisation,
        after={"policy_version": policy.version, **counts}, scope=organisation.scope,
        reason="the organisation's SLA changed",
    )  # fmt: skip
    return policy
