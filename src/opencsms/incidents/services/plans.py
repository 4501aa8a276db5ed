"""Incident response plans (ISO/SAE 21434 13.3, RQ-13-01): saved as a new revision of a controlled record.

A plan belongs to an organisation, or to one of its projects (overriding the organisation's there). Saving
needs EDIT on that level; a save made from an older revision is refused (`Stale`, core.versions); a save
that changes nothing writes nothing. Every revision is audited with the whole plan before and after, so the
audit trail holds each revision's text.
"""

from __future__ import annotations

from django.db import transaction

from opencsms.core import audit, versions
from opencsms.core.audit import AuditAction
from opencsms.core.errors import Invalid
from opencsms.core.models import User
from opencsms.incidents.models import PLAN_FIELDS, ResponsePlan
from opencsms.organisation import selectors as organisation_selectors
from opencsms.organisation.access import Perm, require
from opencsms.organisation.models import Level, Organisation, Project

MAX_TEXT = 20_000


def _clean(contents: dict[str, str]) -> dict[str, str]:
    unknown = sorted(set(contents) - set(PLAN_FIELDS))
    if unknown:
        raise Invalid(f"unknown plan fields: {', '.join(unknown)} (the plan has {', '.join(PLAN_FIELDS)})")
    cleaned = {name: (contents.get(name) or "").strip() for name in PLAN_FIELDS}
    for name, text in cleaned.items():
        if len(text) > MAX_TEXT:
            raise Invalid(f"{name}: {len(text)} characters; at most {MAX_TEXT}", fields={name: "too long"})
    if not cleaned["closure_criteria"]:
        raise Invalid(
            "closure_criteria: a plan needs at least one criterion for closing an incident (13.3 f)",
            fields={"closure_criteria": "required"},
        )
    return cleaned


@transaction.atomic
def save_plan(
    *, actor: User, kind: Level, level_id: int, contents: dict[str, str], expected: str | None = None
) -> ResponsePlan:
    """Save the plan of an organisation or project (`kind`, `level_id`) with `contents` (every plan field;
    one left out is saved empty); `expected`: the revision the change was made from."""
    if kind not in (Level.ORGANISATION, Level.PROJECT):
        raise Invalid("a plan belongs to an organisation or a project")
    level = organisation_selectors.level(actor, kind, level_id)
    require(actor, Perm.EDIT, level)
    cleaned = _clean(contents)
    project = level if isinstance(level, Project) else None
    organisation = level.business_unit.organisation if isinstance(level, Project) else level
    assert isinstance(organisation, Organisation)
    plan = (
        ResponsePlan.objects.select_for_update(of=("self",))
        .filter(organisation=organisation, project=project)
        .first()
    )
    if plan is None:
        if expected not in (None, "0"):
            raise Invalid(f"there is no plan here to change from revision {expected}: reload the page")
        plan = ResponsePlan(organisation=organisation, project=project, revision=0, **cleaned)
        before = None
    else:
        stored = {name: getattr(plan, name) for name in PLAN_FIELDS}
        what = f"the incident response plan of {level}"
        versions.check(plan, what, expected=expected, current=plan.revision, stored=stored, yours=cleaned)
        if stored == cleaned:
            return plan
        before = audit.snapshot(plan)
        for name, value in cleaned.items():
            setattr(plan, name, value)
    plan.revision += 1
    plan.save()
    audit.record(
        actor=actor, action=AuditAction.INCIDENT_PLAN_SAVED, obj=plan, before=before,
        after=audit.snapshot(plan), scope=plan.scope,
    )  # fmt: skip
    return plan
