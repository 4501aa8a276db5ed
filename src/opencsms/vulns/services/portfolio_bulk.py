"""Bulk triage on the portfolio: one change of the triage fields to findings of many releases at once,
the ticked ids or all matching the portfolio's filter (of one organisation when given).

The same steps and rules as a release's bulk triage (`bulk.py`: all or nothing, each finding checked by
the rules of `triage`, refusals named, at most `MAX_BULK`, one audit record per changed finding), with
one more check: the actor must be allowed to edit the project of every finding chosen. When any is not,
the change is refused as a whole (`PermissionDenied`) naming those projects; a finding the actor cannot
even see is refused by id (`NotFound`), as if it did not exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from opencsms.core.models import User
from opencsms.organisation import selectors as organisation_selectors
from opencsms.organisation.access import Perm
from opencsms.vulns import selectors
from opencsms.vulns.models import Finding
from opencsms.vulns.selectors import FindingFilter
from opencsms.vulns.services.bulk import (
    apply_to_each,
    check_versions,
    chosen_ids,
    locked_findings,
    wanted_changes,
)


def _require_every_project(actor: User, rows: list[Finding]) -> None:
    projects = {f.release.project_id: f.release.project.name for f in rows}
    editable = organisation_selectors.projects(actor, perm=Perm.EDIT).filter(pk__in=projects)
    refused = sorted(projects[pk] for pk in set(projects) - set(editable.values_list("pk", flat=True)))
    if refused:
        raise PermissionDenied(
            f"nothing changed: you may not triage the findings of {', '.join(refused)}; "
            "choose only findings of projects you may edit"
        )


@transaction.atomic
def bulk_triage_portfolio(
    *,
    actor: User,
    changes: dict[str, Any],
    finding_ids: list[int] | None = None,
    filters: FindingFilter | None = None,
    organisation_id: int | None = None,
    expected: Mapping[int, str] | None = None,
) -> list[Finding]:
    """Apply the same triage `changes` (those of `bulk_triage`) to the portfolio's findings chosen by id,
    or to all matching `filters` when no id is given, all or nothing (see the module); the findings in
    the order chosen. `expected`: the version of each finding the caller saw, by id: one changed since
    refuses the whole change (`bulk.check_versions`)."""
    wanted = wanted_changes(changes)
    scope = selectors.portfolio_findings(actor, organisation_id=organisation_id)
    rows = locked_findings(chosen_ids(scope, "the findings you may see", finding_ids, filters))
    _require_every_project(actor, rows)
    check_versions(rows, expected)
    return apply_to_each(actor, rows, wanted)
