"""Threat generation in the workspace: the engine's rules propose threat scenarios from the architecture.

The same regeneration that respects people as `opencsms tara generate`: proposals the TARA lacks are added
(status `proposed`, with their provenance), generated threat scenarios whose rule no longer matches are
marked obsolete, obsolete ones that match again are revived, and nothing a person decided is changed.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max

from opencsms.core import audit
from opencsms.core.audit import AuditAction
from opencsms.core.errors import Invalid
from opencsms.core.models import User
from opencsms.engine.tara.model import ReviewStatus
from opencsms.engine.threatgen import GenerationPlan, first_paths, plan_generation, proposal_data, propose
from opencsms.tara import mapping, selectors
from opencsms.tara.models import Element, Kind
from opencsms.tara.services.bulk import bulk_edit_elements
from opencsms.tara.services.evaluation import store_evaluation, take_for_edit


def _mark(element: Element, obsolete: bool) -> Element:
    generated = {**element.data.get("generated", {})}
    if obsolete:
        generated["obsolete"] = True
    else:
        generated.pop("obsolete", None)
    element.data = {**element.data, "generated": generated}
    return element


@transaction.atomic
def generate_threats(*, actor: User, tara_id: int, with_paths: bool = False) -> GenerationPlan:
    """Apply the threat rules (the shipped ones and the organisation's) to the TARA's architecture
    (ISO/SAE 21434 15.6, R155 Annex 5); `with_paths` gives each new threat scenario the best attack path
    to its asset as its first attack tree, so it is rated at once (15.7, 15.8)."""
    tara = take_for_edit(actor, tara_id)
    result = selectors.evaluated(tara)  # a stored TARA is valid; the kept working state when there is one
    model = result.model
    rules = selectors.rule_set(tara)
    plan = plan_generation(model, propose(model, rules), rules.ids)
    if not plan.changes:
        return plan
    last = Element.objects.filter(tara=tara, kind=Kind.THREAT_SCENARIO).aggregate(last=Max("position"))[
        "last"
    ]
    start = 0 if last is None else last + 1
    paths = first_paths(model, result.profile, plan.add) if with_paths else {}
    added = [proposal_data(p, paths.get(p.id)) for p in plan.add]
    Element.objects.bulk_create(
        Element(
            tara=tara,
            kind=Kind.THREAT_SCENARIO,
            ref=data["id"],
            position=start + index,
            data=data,
            label=mapping.label_of(data, data["id"]),
        )
        for index, data in enumerate(added)
    )
    flips = {**dict.fromkeys(plan.obsolete, True), **dict.fromkeys(plan.revive, False)}
    marked = [
        _mark(element, flips[element.ref])
        for element in Element.objects.filter(tara=tara, kind=Kind.THREAT_SCENARIO, ref__in=flips)
    ]
    Element.objects.bulk_update(marked, ["data"])
    store_evaluation(tara, selectors.document(tara))
    audit.record(
        actor=actor,
        action=AuditAction.THREATS_GENERATED,
        obj=tara,
        after={
            "added": [p.id for p in plan.add],
            "obsolete": list(plan.obsolete),
            "revived": list(plan.revive),
            "rules": len(rules.rules),
            "with_paths": sorted(paths),
        },
        scope=tara.scope,
    )
    return plan


DECISIONS = (ReviewStatus.ACCEPTED, ReviewStatus.REJECTED, ReviewStatus.PROPOSED)  # what a person decides


@transaction.atomic
def decide_threats(
    *, actor: User, tara_id: int, refs: list[str], status: str, rationale: str = ""
) -> list[Element]:
    """Accept or reject threat scenarios (generated ones, typically) in one change: one evaluation and
    one audit record per threat scenario (the bulk edit of `services.bulk`). A rejection needs its
    rationale (kept, so that regeneration never proposes the threat again); `proposed` puts a decision
    back up for review."""
    if status not in DECISIONS:
        raise Invalid(f"status {status!r}: use one of {', '.join(DECISIONS)}")
    rationale = rationale.strip()
    if status == ReviewStatus.REJECTED and not rationale:
        raise Invalid("a rejection needs a rationale: say why the threat does not apply")
    if not refs:
        raise Invalid("choose at least one threat scenario")
    changes = {"status": status, "rationale": rationale or None}
    return bulk_edit_elements(
        actor=actor, tara_id=tara_id, kind=Kind.THREAT_SCENARIO, refs=refs, changes=changes
    )
