"""Regeneration that respects people: what to add, what is gone, and what is left alone.

A generated threat scenario is never changed by a regeneration, whatever a person did to it (accepted,
rejected with a rationale, re-rated, merged, renamed); only its `generated.obsolete` flag is set when the
architecture no longer matches its rule, and cleared when it matches again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from opencsms.engine.tara.model import AttackPath, ReviewStatus, TaraModel
from opencsms.engine.tara_as_code.dump import path_document
from opencsms.engine.threatgen.match import Proposal


@dataclass(frozen=True)
class GenerationPlan:
    add: tuple[Proposal, ...]
    obsolete: tuple[str, ...]  # generated threat scenarios whose rule no longer matches
    revive: tuple[str, ...]  # obsolete ones that match again
    kept: tuple[str, ...]  # generated ones that still match, left exactly as they are
    skipped_rules: tuple[str, ...]  # rules of existing generated threats that were not loaded this time

    @property
    def changes(self) -> int:
        return len(self.add) + len(self.obsolete) + len(self.revive)


def proposal_data(p: Proposal, path: AttackPath | None = None) -> dict[str, Any]:
    """A proposal as a threat scenario in the TARA-as-code shape, status `proposed`, with its provenance
    (and `path`, its first attack path, when given)."""
    data: dict[str, Any] = {
        "id": p.id,
        "name": p.name,
        "status": ReviewStatus.PROPOSED.value,
        "asset": p.asset,
        "property": p.property,
        "stride": p.stride,
    }
    if p.cause:
        data["cause"] = p.cause
    data["damage_scenarios"] = list(p.damage_scenarios)
    data["annex5"] = list(p.annex5)
    generated: dict[str, Any] = {"rule": p.rule, "asset": p.asset}
    if p.interface:
        generated["interface"] = p.interface
    if p.mitigations:
        generated["mitigations"] = list(p.mitigations)
    data["generated"] = generated
    if path is not None:
        data["attack_paths"] = [path_document(path)]
    return data


def plan_generation(
    model: TaraModel, proposals: list[Proposal], loaded_rules: frozenset[str]
) -> GenerationPlan:
    existing = {t.id: t for t in model.threat_scenarios}
    proposed = {p.id: p for p in proposals}
    add = tuple(p for p in proposals if p.id not in existing)
    obsolete, revive, kept, skipped = [], [], [], set()
    for threat in model.threat_scenarios:
        if threat.generated is None:
            continue
        if threat.generated.rule not in loaded_rules:
            skipped.add(threat.generated.rule)
        elif threat.id not in proposed and not threat.generated.obsolete:
            obsolete.append(threat.id)
        elif threat.id in proposed and threat.generated.obsolete:
            revive.append(threat.id)
        elif threat.id in proposed:
            kept.append(threat.id)
    return GenerationPlan(add, tuple(obsolete), tuple(revive), tuple(kept), tuple(sorted(skipped)))


def summary(plan: GenerationPlan, file: str, written: bool) -> str:
    """What a generation did (or would do, when not written), for the terminal."""
    lines = [
        f"{file}: {len(plan.add)} new, {len(plan.obsolete)} now obsolete, {len(plan.revive)} back again, "
        f"{len(plan.kept)} generated threat scenarios kept as they are"
    ]
    lines += [f"  + {p.id}: {p.name} (Annex 5 {', '.join(p.annex5)})" for p in plan.add]
    lines += [
        f"  - {threat_id}: the architecture no longer matches; marked obsolete" for threat_id in plan.obsolete
    ]
    lines += [f"  ~ {threat_id}: matches again; no longer obsolete" for threat_id in plan.revive]
    if plan.skipped_rules:
        skipped = ", ".join(plan.skipped_rules)
        lines.append(f"  rules not loaded this time, their threat scenarios left alone: {skipped}")
    if plan.changes and not written:
        lines.append("dry run: the file was not changed")
    elif plan.add:
        lines.append(
            "review the new threat scenarios (status: proposed): accept, re-rate, reject with a rationale, "
            "or merge them"
        )
    return "\n".join(lines) + "\n"
