"""VEX documents imported as triage (ISO/SAE 21434 8.6: a supplier's or the team's analysis of whether a
vulnerability affects a product; R155 7.2.2.2(g)).

OpenVEX, CycloneDX VEX, CSAF VEX (and SPDX 3) documents are read by the engine (`engine.vex`), on one
release or on an organisation (every release whose components a statement names). A statement applies to
a finding when it names one of the finding's ids and a product that is its component
(`engine.vex.names_component`: bom-ref, purl with or without version, CPE). Each statement is reported:
- `applied`: the finding's triage set from it (`triage.apply_triage`: the clause 8 rules, the version
  raised, so a triage form opened before the import is refused as stale; audited `vulns_finding.vex_applied`);
- `unchanged`: the finding already says the same;
- `conflict`: a person concluded the finding (a VEX status other than under investigation, or a decision)
  after the document was issued, or the document gives no date: the person's decision stands, the
  statement is not applied and the finding is listed with it;
- `no_matching_finding`: no finding of the target has that vulnerability on a named product.
When statements disagree on one finding, the later one in the document wins (as `engine.vex.apply_vex`).
All or nothing: a statement that cannot be triage (no vulnerability; `not_affected` without a
justification CISA or CycloneDX lists) refuses the whole file, naming the statement, before anything is
written. The import is kept (`VexImport`: the file's SHA-256, the per-statement report) and audited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q

from opencsms.core import audit
from opencsms.core.audit import AuditAction
from opencsms.core.errors import Invalid, from_engine
from opencsms.core.models import ChangeRecord, User
from opencsms.engine import ParseError
from opencsms.engine.sbom import Component, VexStatement, VexStatus
from opencsms.engine.vex import names_component, parse_vex
from opencsms.engine.vex.read import vex_kind
from opencsms.engine.vex.triage import CISA_JUSTIFICATIONS, cisa_justification, issued
from opencsms.organisation.access import Perm, require
from opencsms.organisation.models import Organisation
from opencsms.vulns import mapping, selectors
from opencsms.vulns.models import Finding, Release, Stage, VexImport
from opencsms.vulns.services.advisories import organisation_for
from opencsms.vulns.services.triage import TRIAGE_ACTIONS, apply_triage

OUTCOMES = ("applied", "unchanged", "conflict", "no_matching_finding")
NAMES_PER_QUERY = 100
CONCLUDED = (VexStatus.AFFECTED.value, VexStatus.FIXED.value, VexStatus.NOT_AFFECTED.value)


@dataclass(frozen=True)
class Document:
    statements: tuple[VexStatement, ...]
    kind: str
    issued: dt.datetime | None
    issued_text: str


def _when(text: str) -> dt.datetime | None:
    try:
        found = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return found if found.tzinfo else found.replace(tzinfo=dt.UTC)


def _check(statements: tuple[VexStatement, ...], name: str) -> None:
    if not statements:
        raise Invalid(f"{name}: the document has no VEX statement")
    for number, s in enumerate(statements, 1):
        if not s.vulnerability.strip():
            raise Invalid(f"{name}: statement {number} names no vulnerability")
        if s.status is VexStatus.NOT_AFFECTED and not cisa_justification(s.justification):
            given = f"it gives {s.justification!r}" if s.justification else "it gives none"
            raise Invalid(
                f"{name}: statement {number} ({s.vulnerability}): not_affected needs a justification, one of "
                f"{', '.join(CISA_JUSTIFICATIONS)} or CycloneDX's; {given}"
            )


def read_vex(raw: bytes, filename: str) -> Document:
    """The document's statements, kind and date, checked (see the module); `Invalid` names the problem."""
    name = filename or "<upload>"
    if len(raw) > selectors.MAX_SBOM_BYTES:
        raise Invalid(f"{name}: the file is larger than {selectors.MAX_SBOM_BYTES // (1024 * 1024)} MB")
    try:
        statements, kind, when = parse_vex(raw, name), vex_kind(raw, name), issued(raw, name)
    except ParseError as exc:
        raise from_engine(exc, "the file is not a readable VEX document") from None
    _check(statements, name)
    return Document(statements, kind, _when(when) if when else None, when)


def _target(
    actor: User, release_id: int | None, organisation_id: int | None
) -> tuple[Organisation, Release | None]:
    if release_id is None:
        return organisation_for(actor, organisation_id, None), None
    release = selectors.release(actor, release_id)
    require(actor, Perm.EDIT, release.project)
    return release.project.business_unit.organisation, release


def _findings(organisation: Organisation, release: Release | None, names: set[str]) -> list[Finding]:
    """The findings the statements may concern (by id or alias), of components still in their release."""
    found = Finding.objects.filter(component__removed_in__isnull=True)
    if release is not None:
        found = found.filter(release=release)
    else:
        found = found.filter(release__project__business_unit__organisation=organisation)
    ordered, rows = sorted(names), dict[int, Finding]()
    for start in range(0, len(ordered), NAMES_PER_QUERY):  # a bounded OR per query
        chunk = ordered[start : start + NAMES_PER_QUERY]
        named = Q(vulnerability_id__in=chunk)
        for name in chunk:
            named |= Q(aliases__icontains=name)
        locked = (
            found.filter(named)
            .select_related("component", "release__project")
            .select_for_update(of=("self",))
        )
        rows.update((row.pk, row) for row in locked if names & set(mapping.finding_ids(row)))
    return [rows[pk] for pk in sorted(rows)]


def _people(findings: list[Finding]) -> dict[int, ChangeRecord]:
    """Per finding, its last triage record when a person wrote it (the current triage is theirs)."""
    records = ChangeRecord.objects.filter(
        object_type="vulns.finding",
        object_id__in=[str(f.pk) for f in findings],
        action__in=TRIAGE_ACTIONS,
    ).order_by("seq")
    last = {int(r.object_id): r for r in records.only("object_id", "action", "time", "actor_name")}
    return {pk: r for pk, r in last.items() if r.action == AuditAction.FINDING_TRIAGED.value}


def _changes(statement: VexStatement, number: int, name: str, finding: Finding) -> dict[str, Any]:
    status = statement.status.value
    said = f" ({statement.justification})" if statement.justification else ""
    text = statement.detail or statement.action
    rationale = f"VEX {name}, statement {number}: {status}{said}" + (f": {text}" if text else "")
    if status == VexStatus.AFFECTED and finding.decision:
        return {"vex_status": status, "justification": ""}  # the person's decision stands
    stage = Stage.WEAKNESS if statement.status is VexStatus.UNDER_INVESTIGATION else Stage.ANALYSED
    justification = cisa_justification(statement.justification) if status == VexStatus.NOT_AFFECTED else ""
    return {"stage": stage, "vex_status": status, "justification": justification, "decision": "",
            "rationale": rationale[:10_000]}  # fmt: skip


def _label(finding: Finding) -> dict[str, Any]:
    return {"finding": finding.pk, "release": str(finding.release), "component": str(finding.component)}


@dataclass
class _Run:
    actor: User
    name: str
    document: Document
    people: dict[int, ChangeRecord]
    touched: set[int]

    def conflict(self, finding: Finding) -> ChangeRecord | None:
        """The person's record when their conclusion is newer than the document (or it has no date)."""
        person = self.people.get(finding.pk)
        if finding.pk in self.touched or person is None:
            return None
        if finding.vex_status not in CONCLUDED and not finding.decision:
            return None
        issued_at = self.document.issued
        return person if issued_at is None or person.time > issued_at else None

    def statement(self, number: int, s: VexStatement, hits: list[Finding]) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "statement": number,
            "vulnerability": s.vulnerability,
            "status": s.status.value,
            "products": list(s.products[:5]),
            "applied": [],
            "unchanged": [],
            "conflicts": [],
        }
        for finding in hits:
            changes = _changes(s, number, self.name, finding)
            if (finding.vex_status, finding.justification) == (
                changes["vex_status"],
                changes["justification"],
            ):
                entry["unchanged"].append(_label(finding))
            elif (person := self.conflict(finding)) is not None:
                entry["conflicts"].append(
                    {
                        **_label(finding),
                        "vex_status": finding.vex_status,
                        "decision": finding.decision,
                        "by": person.actor_name,
                        "at": person.time.isoformat(),
                    }
                )
            else:
                apply_triage(actor=self.actor, finding=finding, changes=changes,
                             action=AuditAction.FINDING_VEX_APPLIED)  # fmt: skip
                self.touched.add(finding.pk)
                entry["applied"].append(_label(finding))
        kinds = (("applied", "applied"), ("conflicts", "conflict"), ("unchanged", "unchanged"))
        entry["outcome"] = next((outcome for key, outcome in kinds if entry[key]), "no_matching_finding")
        return entry


@transaction.atomic
def import_vex(
    *, actor: User, raw: bytes, filename: str = "", release_id: int | None = None,
    organisation_id: int | None = None,
) -> VexImport:  # fmt: skip
    """Import a VEX document as triage of one release's findings, or of an organisation's (see the module)."""
    organisation, release = _target(actor, release_id, organisation_id)
    name = filename or "<upload>"
    document = read_vex(raw, name)
    findings = _findings(organisation, release, {s.vulnerability for s in document.statements})
    components: dict[int, Component] = {f.pk: mapping.to_component(f.component) for f in findings}
    run = _Run(actor, name, document, _people(findings), set())
    report = []
    for number, s in enumerate(document.statements, 1):
        hits = [f for f in findings if s.vulnerability in mapping.finding_ids(f)
                and any(names_component(p, components[f.pk]) for p in s.products)]  # fmt: skip
        report.append(run.statement(number, s, hits))
    counts = {outcome: sum(1 for e in report if e["outcome"] == outcome) for outcome in OUTCOMES}
    made = VexImport.objects.create(
        organisation=organisation,
        release=release,
        filename=filename[:255],
        sha256=hashlib.sha256(raw).hexdigest(),
        kind=document.kind,
        issued=document.issued_text[:64],
        imported_by=actor,
        counts=counts,
        report=report,
    )
    after = {**audit.snapshot(made), "counts": counts}
    audit.record(actor=actor, action=AuditAction.VEX_IMPORTED, obj=made, after=after, scope=made.scope)
    return made
