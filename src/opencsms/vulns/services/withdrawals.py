"""Findings of withdrawn advisories are closed (ISO/SAE 21434 8.4: an event that turns out void is not
relevant).

The rule: when an imported advisory is withdrawn, a finding it supports is closed if every advisory in its
evidence is withdrawn in the organisation's mirror and nobody has concluded it yet (VEX status
`under_investigation`, no decision): the stage becomes `not_relevant`, the VEX status `not_affected` with the
justification `vulnerable_code_not_present` (the vulnerability reported no longer exists), and the
rationale names the withdrawn advisories. A finding a person already concluded (affected, fixed, not
affected, or decided) keeps its triage, and a finding that another, still valid advisory supports stays
open. A closure is a triage change like a person's (`triage.apply_triage`: the same rules checked, the
same fields saved), audited as the actor of the import (`vulns_finding.closed_withdrawn`).
"""

from __future__ import annotations

from django.db.models import QuerySet

from opencsms.core.audit import AuditAction
from opencsms.core.models import User
from opencsms.engine.advisories import Advisory
from opencsms.vulns import mapping
from opencsms.vulns.models import Advisory as AdvisoryRow
from opencsms.vulns.models import Finding, Stage, VexStatus
from opencsms.vulns.services.matching import candidate_components
from opencsms.vulns.services.triage import apply_triage

JUSTIFICATION = "vulnerable_code_not_present"


def _void(organisation_id: int, advisory_ids: set[str]) -> dict[str, str]:
    """Of `advisory_ids`, those withdrawn in the mirror (and valid under no other origin): id -> when."""
    rows = AdvisoryRow.objects.filter(organisation_id=organisation_id, advisory_id__in=advisory_ids)
    found = list(rows.values_list("advisory_id", "withdrawn"))
    valid = {identifier for identifier, withdrawn in found if not withdrawn}
    return {identifier: withdrawn for identifier, withdrawn in found if withdrawn and identifier not in valid}


def _open_findings(organisation_id: int, withdrawn: list[Advisory]) -> QuerySet[Finding]:
    keys = set().union(*(mapping.advisory_key_texts(a) for a in withdrawn))
    components = [c.pk for c in candidate_components(organisation_id, keys)]
    return (
        Finding.objects.filter(
            component__in=components, vex_status=VexStatus.UNDER_INVESTIGATION, decision=""
        )
        .select_related("release")
        .select_for_update(of=("self",))
        .order_by("pk")
    )


def close_withdrawn(actor: User, organisation_id: int, advisories: list[Advisory]) -> int:
    """Close the open findings that only withdrawn advisories support (see the module); how many."""
    withdrawn = [a for a in advisories if a.withdrawn]
    if not withdrawn:
        return 0
    ids = {a.id for a in withdrawn}
    rows = [
        r for r in _open_findings(organisation_id, withdrawn) if any(e["advisory"] in ids for e in r.evidence)
    ]
    void = _void(organisation_id, {e["advisory"] for r in rows for e in r.evidence})
    closed = 0
    for row in rows:
        behind = sorted({e["advisory"] for e in row.evidence})
        if not set(behind) <= void.keys():
            continue
        closing = {
            "stage": Stage.NOT_RELEVANT,
            "vex_status": VexStatus.NOT_AFFECTED,
            "justification": JUSTIFICATION,
            "rationale": "Withdrawn: " + ", ".join(f"{i} (withdrawn {void[i]})" for i in behind),
        }
        apply_triage(actor=actor, finding=row, changes=closing, action=AuditAction.FINDING_CLOSED_WITHDRAWN)
        closed += 1
    return closed
