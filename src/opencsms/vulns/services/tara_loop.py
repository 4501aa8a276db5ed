"""The loop from a finding back into the TARA (ISO/SAE 21434 8.6 -> 15.7, 15.8; R155 7.2.2.2(g); clause 15
continuous risk assessment).

- `link_finding_to_step`: a person re-rates one attack step with the finding's CVSS v3 exploitability
  (AV/AC/PR/UI).
- `loop_new_findings`: every new finding (an SBOM upload, an advisory import or sync) on a release placed on
  a TARA component links itself to the attack steps on that component by the organisation's rule
  (`LoopRule`): `propose` makes a proposal per step, `automatic` re-rates each step at once as the system
  user (a TARA in review keeps the proposal, with a note), `off` does nothing.
- `confirm_step_link` / `reject_step_link`: a person decides a proposal.
- `set_tara_loop_rule`: an organisation's rule, set by its managers (APPROVE on the organisation).
The rating and its reversal (triage "not affected", not relevant, fixed) are in `step_rating`.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction

from opencsms.core import audit
from opencsms.core.audit import AuditAction
from opencsms.core.bulk_rows import insert_rows
from opencsms.core.errors import Conflict, Invalid, NotFound
from opencsms.core.models import User
from opencsms.core.services import system_user
from opencsms.organisation import selectors as organisation_selectors
from opencsms.organisation.access import Perm, require
from opencsms.organisation.models import Level, Organisation
from opencsms.tara.models import Element
from opencsms.vulns import mapping, selectors
from opencsms.vulns.models import Finding, LinkStatus, LoopMode, LoopRule, StepLink
from opencsms.vulns.selectors.tara_loop import loop_elements, loop_mode, step_keys, step_keys_by_component
from opencsms.vulns.services.step_rating import apply_link, apply_many


@transaction.atomic
def link_finding_to_step(
    *, actor: User, finding_id: int, threat_ref: str, path_ref: str, address: str
) -> Element:
    """Rate the step with the finding's CVSS v3 AV/AC/PR/UI (`step_rating.apply_link`)."""
    finding = selectors.finding(actor, finding_id)
    release = finding.release
    require(actor, Perm.EDIT, release.project)
    if release.tara_id is None:
        raise Invalid("the release is not placed on a TARA: set its TARA and component first")
    vector = mapping.cvss3_base(finding.vectors)
    if not vector:
        raise Invalid(f"{finding.vulnerability_id} has no CVSS v3 vector to rate the attack step with")
    if (threat_ref, path_ref, address) not in step_keys(selectors.threats_for_finding(finding)):
        raise Invalid(
            f"step {address!r} of {threat_ref}/{path_ref} does not pass through {release.component_ref!r}"
        )
    link = StepLink.objects.select_for_update().filter(
        finding=finding, tara_id=release.tara_id, threat_ref=threat_ref, path_ref=path_ref, address=address
    ).first() or StepLink(
        finding=finding, tara_id=release.tara_id, threat_ref=threat_ref, path_ref=path_ref, address=address
    )
    link.cvss = vector
    return apply_link(actor, link, "re-rated by hand from the finding")


def _locked_link(actor: User, finding_id: int, link_id: int) -> StepLink:
    finding = selectors.finding(actor, finding_id)  # 404 outside the actor's projects
    if not StepLink.objects.filter(pk=link_id, finding=finding).exists():
        raise NotFound(f"{finding.vulnerability_id} has no proposal {link_id}")
    require(actor, Perm.EDIT, finding.release.project)
    link = StepLink.objects.select_for_update().select_related("tara", "finding__release").get(pk=link_id)
    if link.status != LinkStatus.PROPOSED:
        raise Conflict(f"the re-rating of {link.step} is {link.get_status_display().lower()}, not proposed")
    return link


@transaction.atomic
def confirm_step_link(*, actor: User, finding_id: int, link_id: int) -> StepLink:
    """Apply a proposed re-rating of the finding as the person who confirms it."""
    link = _locked_link(actor, finding_id, link_id)
    apply_link(actor, link, "proposal confirmed")
    return link


@transaction.atomic
def reject_step_link(*, actor: User, finding_id: int, link_id: int, reason: str = "") -> StepLink:
    """Reject a proposed re-rating of the finding: the step keeps its rating."""
    link = _locked_link(actor, finding_id, link_id)
    before = audit.snapshot(link)
    link.status, link.decided_by, link.note = LinkStatus.REJECTED, actor, reason.strip()[:500]
    link.save()
    audit.record(
        actor=actor,
        action=AuditAction.STEP_LINK_REJECTED,
        obj=link,
        before=before,
        after=audit.snapshot(link),
        reason=reason.strip() or "proposal rejected",
        scope=link.finding.scope,
    )
    return link


@transaction.atomic
def set_tara_loop_rule(*, actor: User, organisation_id: int, mode: str) -> LoopRule:
    """Set how the organisation's new findings reach its TARAs (off, propose, automatic)."""
    organisation = organisation_selectors.level(actor, Level.ORGANISATION, organisation_id)
    assert isinstance(organisation, Organisation)
    require(actor, Perm.APPROVE, organisation)
    if mode not in LoopMode.values:
        raise Invalid(f"rule {mode!r}: use one of {', '.join(LoopMode.values)}")
    rule = LoopRule.objects.select_for_update().filter(organisation=organisation).first()
    before = audit.snapshot(rule) if rule else None
    if rule is not None and rule.mode == mode:
        return rule
    rule = rule or LoopRule(organisation=organisation)
    rule.mode = mode
    rule.save()
    audit.record(
        actor=actor,
        action=AuditAction.TARA_LOOP_RULE_SET,
        obj=rule,
        before=before,
        after=audit.snapshot(rule),
        scope=rule.scope,
    )
    return rule


def loop_new_findings(actor: User, created: list[Finding]) -> int:
    """Link new findings to the attack steps on their release's TARA component by the organisation's rule
    (see the module); the system user acts, `actor` (who brought the findings in) is named in the
    reason. Call it inside the transaction that created them. How many links were made."""
    placed = [f for f in created if f.pk and mapping.cvss3_base(f.vectors)]
    rows = (
        Finding.objects.filter(pk__in=[f.pk for f in placed], release__tara__isnull=False)
        .exclude(release__component_ref="")
        .exclude(vex_status__in=("not_affected", "fixed"))  # closed by an inherited decision
        .exclude(stage="not_relevant")
        .select_related("release__project__business_unit", "release__tara")
        .order_by("pk")
    )
    modes: dict[int, str] = {}
    wanted: list[Finding] = []
    for finding in rows:
        organisation_id = finding.release.project.business_unit.organisation_id
        if organisation_id not in modes:
            modes[organisation_id] = loop_mode(organisation_id)
        if modes[organisation_id] != LoopMode.OFF:
            wanted.append(finding)
    threats = _steps_by_place({(f.release.tara_id or 0, f.release.component_ref) for f in wanted})
    made: dict[str, list[StepLink]] = defaultdict(list)
    for finding in wanted:
        release = finding.release
        organisation_id = release.project.business_unit.organisation_id
        place = (release.tara_id or 0, release.component_ref)
        cvss, automatic = mapping.cvss3_base(finding.vectors), modes[organisation_id] == LoopMode.AUTOMATIC
        made[modes[organisation_id]] += [
            StepLink(
                finding=finding,
                tara=release.tara,
                threat_ref=threat,
                path_ref=path,
                address=address,
                cvss=cvss,
                automatic=automatic,
            )
            for threat, path, address in threats[place]
        ]
    if made:
        _propose_and_apply(actor, made)
    return sum(len(links) for links in made.values())


def _steps_by_place(places: set[tuple[int, str]]) -> dict[tuple[int, str], list[tuple[str, str, str]]]:
    """The steps on each (TARA, component) place: each TARA's elements read once for all its places (a
    2,000-threat TARA read per component was most of the loop's time for 100 releases)."""
    by_tara: dict[int, list[str]] = defaultdict(list)
    for tara_id, ref in sorted(places):
        by_tara[tara_id].append(ref)
    found = {}
    for tara_id, refs in by_tara.items():
        for ref, steps in step_keys_by_component(refs, loop_elements(tara_id)).items():
            found[(tara_id, ref)] = steps
    return found


def _propose_and_apply(actor: User, made: dict[str, list[StepLink]]) -> None:
    """Save the links, apply those of the rule `automatic` at once, and audit them: one record per
    finding listing its links (a bulk record with ids), by the system user."""
    system = system_user()
    reason = f"organisation rule: new finding brought in by {actor.get_username()}"
    for mode, links in made.items():
        insert_rows(
            StepLink, links, ("finding_id", "tara_id", "threat_ref", "path_ref", "address"), "finding_id"
        )
        if mode == LoopMode.AUTOMATIC:
            apply_many(system, links)
        by_finding: dict[int, list[StepLink]] = defaultdict(list)
        for link in links:
            by_finding[link.finding_id].append(link)
        for group in by_finding.values():
            finding = group[0].finding
            audit.record(
                actor=system,
                action=AuditAction.STEP_LINK_APPLIED
                if mode == LoopMode.AUTOMATIC
                else AuditAction.STEP_LINK_PROPOSED,
                obj=finding,
                after={"rule": mode, "links": [_summary(link) for link in group]},
                reason=f"{reason} ({mode})",
                scope=finding.scope,
            )


def _summary(link: StepLink) -> dict[str, object]:
    return {
        "id": link.pk,
        "step": link.step,
        "cvss": link.cvss,
        "status": link.status,
        "risk_before": link.risk_before,
        "risk_after": link.risk_after,
        **({"note": link.note} if link.note else {}),
    }
