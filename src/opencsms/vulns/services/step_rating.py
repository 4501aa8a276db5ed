"""Re-rating one attack step from the findings linked to it, and putting it back (ISO/SAE 21434 8.6 -> 15.7,
15.8; clause 15 continuous risk assessment).

The rule, the same for a person's link, a confirmed proposal and an automatic re-rating: a step that
applied links rate takes the highest CVSS v3.1 exploitability among their vectors (the worst case of the
vulnerabilities present); a step no applied link rates has the rating it had before the first finding
(`StepLink.previous_cvss`, shared by every link of the step). Each change goes through the TARA's own
attack tree service (checked, evaluated, audited as `tara_element.attack_tree_edited`), and the link's
change is audited too. When the threat's risk rises and ends above the TARA's acceptance level
(`header.method.acceptance`: crossing it from within, or rising further above it), the project's people are
notified once each per rise, with the finding, the release and the TARA linked (`notifications.notify`).
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import QuerySet
from django.utils import timezone

from opencsms.core import audit
from opencsms.core.audit import AuditAction
from opencsms.core.errors import Invalid
from opencsms.core.models import User
from opencsms.engine.matching.scoring import exploitability
from opencsms.tara import services as tara_services
from opencsms.tara.models import Element, Kind, State, Tara
from opencsms.vulns.models import Finding, LinkStatus, StepLink
from opencsms.vulns.selectors.tara_loop import step_at
from opencsms.vulns.services.notifications import notify


def acceptance(tara: Tara) -> int:
    """The TARA's acceptance level: a risk above it is not accepted."""
    return int((tara.header.get("method") or {}).get("acceptance", 1))


def in_review(tara_id: int) -> bool:
    return Tara.objects.filter(pk=tara_id, state=State.IN_REVIEW).exists()


def _same_step(link: StepLink) -> QuerySet[StepLink]:
    return StepLink.objects.filter(
        tara_id=link.tara_id,
        threat_ref=link.threat_ref,
        path_ref=link.path_ref,
        address=link.address,
        status=LinkStatus.APPLIED,
    ).exclude(pk=link.pk)


def highest(vectors: list[str]) -> str:
    """The vector of the highest exploitability (the first of equals)."""
    return max(vectors, key=exploitability)


def _rate(actor: User, link: StepLink, cvss: str) -> tuple[int | None, Element]:
    """Set the step's `cvss` (empty: remove it); (the threat's risk before, the threat after)."""
    element = Element.objects.get(tara_id=link.tara_id, kind=Kind.THREAT_SCENARIO, ref=link.threat_ref)
    before = element.risk
    node = step_at(element.data, link.path_ref, link.address)
    if node is None:
        raise Invalid(f"the TARA no longer has the attack step {link.step}: the tree changed since")
    if (node.get("cvss") or "") == cvss:
        return before, element
    element = tara_services.edit_attack_tree(
        actor=actor,
        tara_id=link.tara_id,
        threat=link.threat_ref,
        path=link.path_ref,
        op="update",
        at=link.address,
        changes={"cvss": cvss or None},
    )
    return before, element


def _save(actor: User, link: StepLink, action: AuditAction, before: dict[str, object], reason: str) -> None:
    link.save()
    audit.record(
        actor=actor,
        action=action,
        obj=link,
        before=before,
        after=audit.snapshot(link),
        reason=reason,
        scope=link.finding.scope,
    )


def apply_link(actor: User, link: StepLink, reason: str) -> Element:
    """Rate the link's step with its finding's vector (the highest of the step's applied links), audited;
    notify when the threat's risk crosses acceptance. The caller holds the permission and the lock."""
    snapshot = audit.snapshot(link) if link.pk else {}
    others = list(_same_step(link))
    element = Element.objects.get(tara_id=link.tara_id, kind=Kind.THREAT_SCENARIO, ref=link.threat_ref)
    node = step_at(element.data, link.path_ref, link.address) or {}
    if others:
        link.previous_cvss = others[0].previous_cvss
    elif link.status != LinkStatus.APPLIED:  # an applied link keeps what it found
        link.previous_cvss = str(node.get("cvss") or "")
    risk_before, element = _rate(actor, link, highest([link.cvss, *(o.cvss for o in others)]))
    link.status, link.decided_by, link.note = LinkStatus.APPLIED, actor, ""
    link.risk_before, link.risk_after = risk_before, element.risk
    _save(actor, link, AuditAction.STEP_LINK_APPLIED, snapshot, reason)
    _notify_crossing(link, risk_before, element)
    return element


def reverse_link(actor: User, link: StepLink, reason: str) -> None:
    """Take the link's rating off its step: the highest of the step's other applied links, or the rating
    from before any finding; a proposal is closed as rejected. Audited with `reason`."""
    snapshot = audit.snapshot(link)
    if link.status == LinkStatus.PROPOSED:
        link.status, link.decided_by, link.note = LinkStatus.REJECTED, actor, reason[:500]
        _save(actor, link, AuditAction.STEP_LINK_REJECTED, snapshot, reason)
        return
    if in_review(link.tara_id):
        link.note = f"not reversed ({reason}): the TARA was in review"[:500]
        _save(actor, link, AuditAction.STEP_LINK_REVERSED, snapshot, link.note)
        return
    others = [o.cvss for o in _same_step(link)]
    risk_before, element = _rate(actor, link, highest(others) if others else link.previous_cvss)
    link.status, link.decided_by, link.note = LinkStatus.REVERSED, actor, reason[:500]
    link.risk_before, link.risk_after = risk_before, element.risk
    _save(actor, link, AuditAction.STEP_LINK_REVERSED, snapshot, reason)


def reverse_finding_links(actor: User, finding: Finding, reason: str) -> int:
    """Reverse every applied link of a finding and close its proposals (the finding is not affected,
    fixed or gone); how many links changed."""
    links = list(
        StepLink.objects.select_for_update()
        .filter(finding=finding, status__in=[LinkStatus.APPLIED, LinkStatus.PROPOSED])
        .select_related("tara", "finding__release")
        .order_by("pk")
    )
    for link in links:
        reverse_link(actor, link, reason)
    return len(links)


def _notify_crossing(link: StepLink, before: int | None, element: Element) -> None:
    level = acceptance(element.tara)
    after = element.risk
    if after is None or after <= level or (before is not None and after <= before):
        return
    finding = link.finding
    release = finding.release
    message = (
        f"{finding.vulnerability_id} in {release} re-rated attack step {link.step} of {link.threat_ref}"
        f" ({link.cvss}): its risk rose from {before if before is not None else 'unrated'} to {after},"
        f" above the acceptance level {level} of {element.tara.name}"
    )
    notify(project=release.project, message=message, finding=finding, release=release, tara=element.tara)


Step = tuple[str, str, str]  # threat, path, step address


def _by_step(links: list[StepLink]) -> dict[Step, list[StepLink]]:
    found: dict[Step, list[StepLink]] = defaultdict(list)
    for link in links:
        found[(link.threat_ref, link.path_ref, link.address)].append(link)
    return found


def apply_many(actor: User, links: list[StepLink]) -> None:
    """Apply new links (saved, proposed) of one import at once: per TARA, every step takes the highest of
    its applied and new links (one `rate_attack_steps` edit: the TARA evaluated once), the links are
    written in bulk, and each threat whose risk rose above acceptance notifies once. A TARA in review is
    left as it is: its links stay proposed, with a note."""
    by_tara: dict[int, list[StepLink]] = defaultdict(list)
    for link in links:
        by_tara[link.tara_id].append(link)
    for tara_id, group in by_tara.items():
        if in_review(tara_id):
            for link in group:
                link.note = "the TARA was in review: confirm the re-rating once it is back in draft"
            StepLink.objects.bulk_update(group, ["note"], batch_size=500)
            continue
        _apply_on_tara(actor, tara_id, group)


def _apply_on_tara(actor: User, tara_id: int, group: list[StepLink]) -> None:
    steps = _by_step(group)
    threats = sorted({threat for threat, _, _ in steps})
    old = _by_step(
        list(
            StepLink.objects.filter(
                tara_id=tara_id, threat_ref__in=threats, status=LinkStatus.APPLIED
            ).exclude(pk__in=[link.pk for link in group])
        )
    )
    rows = Element.objects.filter(tara_id=tara_id, kind=Kind.THREAT_SCENARIO, ref__in=threats)
    elements = {e.ref: e for e in rows}
    ratings = []
    for (threat, path, address), new in steps.items():
        node = step_at(elements[threat].data, path, address) or {}
        others = old.get((threat, path, address), [])
        previous = others[0].previous_cvss if others else str(node.get("cvss") or "")
        target = highest([*(link.cvss for link in new), *(o.cvss for o in others)])
        for link in new:
            link.previous_cvss = previous
        if str(node.get("cvss") or "") != target:
            ratings.append((threat, path, address, target))
    before = tara_services.rate_attack_steps(actor=actor, tara_id=tara_id, ratings=ratings) if ratings else {}
    after = dict(rows.values_list("ref", "risk"))
    for link in group:
        link.status, link.decided_by = LinkStatus.APPLIED, actor
        link.risk_before = before.get(link.threat_ref, elements[link.threat_ref].risk)
        link.risk_after = after[link.threat_ref]
    same: dict[tuple[str, int | None, int | None], list[int]] = defaultdict(list)
    for link in group:  # one UPDATE per set of values (a bulk_update's CASE per row costs seconds here)
        same[(link.previous_cvss, link.risk_before, link.risk_after)].append(link.pk)
    chunks = [(key, ids[i : i + 500]) for key, ids in same.items() for i in range(0, len(ids), 500)]
    for (previous, risk_before, risk_after), ids in chunks:
        StepLink.objects.filter(pk__in=ids).update(
            status=LinkStatus.APPLIED, decided_by=actor, previous_cvss=previous,
            risk_before=risk_before, risk_after=risk_after, updated_at=timezone.now(),
        )  # fmt: skip
    tara = Tara.objects.get(pk=tara_id)
    first: dict[str, StepLink] = {}
    for link in group:
        first.setdefault(link.threat_ref, link)
    for threat, risk_before in before.items():
        element = elements[threat]
        element.risk, element.tara = after[threat], tara
        _notify_crossing(first[threat], risk_before, element)
