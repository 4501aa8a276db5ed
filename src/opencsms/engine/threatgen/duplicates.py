"""Likely duplicates among generated proposals: a proposed threat scenario that says what an existing
one already says (ISO/SAE 21434 15.6: one threat scenario per asset, property and cause).

A proposal is a likely duplicate of a threat scenario a person wrote or accepted when both target the same
asset, compromise the same cybersecurity property or share the STRIDE category, and reach the asset
through a common entry (an interface named by the proposal's rule or by an attack step). When either side
has no known entry, the asset and property alone make it likely. Nothing is changed: people decide.
"""

from __future__ import annotations

from dataclasses import dataclass

from opencsms.engine.tara.model import Gate, Node, ReviewStatus, TaraModel, ThreatScenario


@dataclass(frozen=True)
class Duplicate:
    """`proposal` likely says what `existing` says, for the `reason` given."""

    proposal: str
    existing: str
    reason: str


def _interfaces(node: Node) -> set[str]:
    if isinstance(node, Gate):
        return {name for child in node.children for name in _interfaces(child)}
    return {node.interface} if node.interface else set()


def entries(threat: ThreatScenario) -> set[str]:
    """The interfaces a threat scenario names: its rule's match and its attack steps'."""
    found = {name for path in threat.attack_paths for name in _interfaces(path.tree)}
    if threat.generated and threat.generated.interface:
        found.add(threat.generated.interface)
    return found


def _reason(proposal: ThreatScenario, existing: ThreatScenario) -> str | None:
    if proposal.asset != existing.asset:
        return None
    same = []
    if proposal.property == existing.property:
        same.append(f"property {proposal.property}")
    if proposal.stride and proposal.stride == existing.stride:
        same.append(f"STRIDE {proposal.stride}")
    if not same:
        return None
    ours, theirs = entries(proposal), entries(existing)
    shared = sorted(ours & theirs)
    if ours and theirs and not shared:
        return None
    through = f", through {', '.join(shared)}" if shared else ", no entry to compare"
    return f"same asset {proposal.asset}, same {' and '.join(same)}{through}"


def likely_duplicates(model: TaraModel) -> dict[str, Duplicate]:
    """Per proposed threat scenario, the first accepted threat scenario it likely duplicates."""
    settled = [t for t in model.threat_scenarios if t.status is ReviewStatus.ACCEPTED and t.in_analysis]
    found: dict[str, Duplicate] = {}
    for proposal in model.threat_scenarios:
        if proposal.status is not ReviewStatus.PROPOSED or not proposal.in_analysis:
            continue
        for existing in settled:
            reason = _reason(proposal, existing)
            if reason:
                found[proposal.id] = Duplicate(proposal.id, existing.id, reason)
                break
    return found
