"""The loop from a finding back into the TARA (ISO/SAE 21434 8.6 -> 15.7, 15.8; R155 7.2.2.2(g)).

`link_finding_to_step` re-rates one attack step of a threat scenario with the finding's CVSS v3
exploitability (AV/AC/PR/UI) through the TARA's own attack tree service, so the TARA checks, evaluates and
audits the change like any edit. When the threat's risk ends above the TARA's acceptance level
(`header.method.acceptance`), the project's engineers and cybersecurity managers are notified
(`notifications.notify`).
"""

from __future__ import annotations

from django.db import transaction

from opencsms.core import audit
from opencsms.core.audit import AuditAction
from opencsms.core.errors import Invalid
from opencsms.core.models import User
from opencsms.organisation.access import Perm, require
from opencsms.tara import services as tara_services
from opencsms.tara.models import Element, Kind
from opencsms.vulns import mapping, selectors
from opencsms.vulns.services.notifications import notify


@transaction.atomic
def link_finding_to_step(
    *, actor: User, finding_id: int, threat_ref: str, path_ref: str, address: str
) -> Element:
    """Set the step's `cvss` to the finding's CVSS v3 AV/AC/PR/UI; notify when the risk passes acceptance."""
    finding = selectors.finding(actor, finding_id)
    release = finding.release
    require(actor, Perm.EDIT, release.project)
    if release.tara_id is None:
        raise Invalid("the release is not placed on a TARA: set its TARA and component first")
    vector = mapping.cvss3_base(finding.vectors)
    if not vector:
        raise Invalid(f"{finding.vulnerability_id} has no CVSS v3 vector to rate the attack step with")
    offered = {
        (t["ref"], p["id"], s["address"])
        for t in selectors.threats_for_finding(finding)
        for p in t["paths"]
        for s in p["steps"]
    }
    if (threat_ref, path_ref, address) not in offered:
        raise Invalid(
            f"step {address!r} of {threat_ref}/{path_ref} does not pass through {release.component_ref!r}"
        )
    before = Element.objects.get(tara_id=release.tara_id, kind=Kind.THREAT_SCENARIO, ref=threat_ref).risk
    element = tara_services.edit_attack_tree(
        actor=actor,
        tara_id=release.tara_id,
        threat=threat_ref,
        path=path_ref,
        op="update",
        at=address,
        changes={"cvss": vector},
    )
    acceptance = int((element.tara.header.get("method") or {}).get("acceptance", 1))
    audit.record(
        actor=actor,
        action=AuditAction.FINDING_LINKED_TO_TARA,
        obj=finding,
        after={
            "threat": threat_ref,
            "path": path_ref,
            "step": address,
            "cvss": vector,
            "risk_before": before,
            "risk_after": element.risk,
        },
        scope=finding.scope,
    )
    if element.risk is not None and element.risk > acceptance and (before is None or element.risk > before):
        message = (
            f"{finding.vulnerability_id} in {release} raised the risk of {threat_ref} to {element.risk}"
            f" (acceptance {acceptance})"
        )
        notify(project=release.project, message=message, finding=finding, release=release)
    return element
