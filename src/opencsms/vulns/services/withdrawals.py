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

The same holds for an advisory that changed and no longer matches (`close_unmatched`): when an import
brings a new revision of an advisory whose affected ranges no longer cover a finding's component version,
the advisory leaves the finding's evidence; a finding it alone supported is closed if it is open (under
investigation or affected: a person's decision is cleared, the audit record keeps it) as not affected,
`vulnerable_code_not_present`, the rationale naming the advisory's revision and the version
(`vulns_finding.closed_no_longer_matched`). Findings that still match keep their triage; new matches were
made by `matching.match_advisories`.
"""

from __future__ import annotations

from django.db.models import QuerySet

from opencsms.core.audit import AuditAction
from opencsms.core.models import User
from opencsms.engine.advisories import Advisory
from opencsms.engine.matching import AdvisoryIndex, match
from opencsms.engine.sbom import Sbom
from opencsms.vulns import mapping
from opencsms.vulns.models import Advisory as AdvisoryRow
from opencsms.vulns.models import Finding, Stage, VexStatus
from opencsms.vulns.services.matching import candidate_components
from opencsms.vulns.services.triage import apply_triage

JUSTIFICATION = "vulnerable_code_not_present"
OPEN = (VexStatus.UNDER_INVESTIGATION, VexStatus.AFFECTED)
BATCH = 500


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
        rationale = "Withdrawn: " + ", ".join(f"{i} (withdrawn {void[i]})" for i in behind)
        close_finding(actor, row, JUSTIFICATION, rationale, AuditAction.FINDING_CLOSED_WITHDRAWN)
        closed += 1
    return closed


def close_finding(actor: User, row: Finding, justification: str, rationale: str, action: AuditAction) -> None:
    """Close a finding the caller locked as not relevant, not affected with `justification`, any decision
    cleared (the audit record keeps it), `rationale` the record of why: one triage change (`apply_triage`)."""
    closing = {
        "stage": Stage.NOT_RELEVANT,
        "vex_status": VexStatus.NOT_AFFECTED,
        "justification": justification,
        "decision": "",
        "rationale": rationale,
    }
    apply_triage(actor=actor, finding=row, changes=closing, action=action)


def _supported_by(organisation_id: int, changed: dict[str, Advisory]) -> list[Finding]:
    """The organisation's findings with one of `changed` in their evidence, locked (by id or alias)."""
    names = sorted({name for a in changed.values() for name in a.ids})
    found: dict[int, Finding] = {}
    for start in range(0, len(names), BATCH):
        rows = Finding.objects.filter(
            release__project__business_unit__organisation_id=organisation_id,
            vulnerability_id__in=names[start : start + BATCH],
        )
        locked = (
            rows.select_related("release", "component")
            .defer("release__sbom", "release__problems")  # the SBOM blob, once per finding row, is seconds
            .select_for_update(of=("self",))
            .order_by("pk")
        )
        found.update((r.pk, r) for r in locked if any(e["advisory"] in changed for e in r.evidence))
    return [found[pk] for pk in sorted(found)]


def _still_matches(row: Finding, advisory: AdvisoryIndex) -> bool:
    component = mapping.to_component(row.component)
    return bool(match(Sbom("database", "", "", (component,)), advisory))


def close_unmatched(actor: User, organisation_id: int, advisories: list[Advisory]) -> int:
    """Take changed advisories that no longer match out of the evidence of their findings, and close the
    open findings nothing else supports (see the module); how many were closed. Each finding is matched
    again only against the changed advisories its evidence names (each one's index built once)."""
    changed = {a.id: a for a in advisories if not a.withdrawn}
    indexes: dict[str, AdvisoryIndex] = {}
    closed = 0
    for row in _supported_by(organisation_id, changed) if changed else []:
        cited = sorted({e["advisory"] for e in row.evidence if e["advisory"] in changed})
        for i in cited:
            if i not in indexes:
                indexes[i] = AdvisoryIndex([changed[i]])
        gone = {i for i in cited if not _still_matches(row, indexes[i])}
        if not gone:
            continue
        left = [e for e in row.evidence if e["advisory"] not in gone]
        if left:
            Finding.objects.filter(pk=row.pk).update(evidence=left)
        elif row.vex_status in OPEN:
            revisions = ", ".join(f"{i} revision {changed[i].modified or '(undated)'}" for i in sorted(gone))
            rationale = f"No longer matched: {revisions} no longer covers {row.component}"
            close_finding(actor, row, JUSTIFICATION, rationale, AuditAction.FINDING_CLOSED_NO_LONGER_MATCHED)
            closed += 1
    return closed
