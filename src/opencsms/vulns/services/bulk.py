"""Bulk triage: one change of the triage fields to many findings at once, for the finding lists' tick
boxes ("all N matching the filter" included) and the API.

A bulk triage acts on one release's findings (its list): the ticked ids, or every finding matching the
list's filter. All or nothing, like the TARA lists' bulk edit: the caller must be allowed to edit the
release's project (else `PermissionDenied`), an id that is not a finding of the release is refused by id
(`NotFound`), and
each finding is checked by the rules of `triage` (clause 8); when any one is refused the change is
refused as a whole, naming each finding refused and why. Then each changed finding gets its own audit
record (`vulns_finding.triaged`, its triage before and after) and a new version. A finding the change
leaves as it was is not written.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from opencsms.core.audit import AuditAction
from opencsms.core.errors import Invalid, NotFound
from opencsms.core.models import User
from opencsms.organisation.access import Perm, require
from opencsms.vulns import selectors
from opencsms.vulns.models import Decision, Finding, Release, Stage
from opencsms.vulns.selectors import FindingFilter
from opencsms.vulns.services.triage import DATES, apply_triage, owner_for

MAX_BULK = 10_000  # findings in one bulk triage (a whole filtered list of a large release)
FIELDS = ("stage", "vex_status", "justification", "decision", "rationale", "owner_id", "due_date",
          "accepted_until")  # fmt: skip
SHOWN = 20  # refusals named in the message


def _changes(changes: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(changes) - set(FIELDS))
    if unknown:
        raise Invalid(f"{', '.join(unknown)}: a bulk triage sets {', '.join(FIELDS)}")
    if not changes:
        raise Invalid(f"choose what to change: {', '.join(FIELDS)}")
    wanted = {k: ("" if v is None and k not in (*DATES, "owner_id") else v) for k, v in changes.items()}
    if wanted.get("decision") and "stage" not in wanted:
        wanted["stage"] = Stage.DECIDED
    if "decision" in wanted and wanted["decision"] != Decision.ACCEPT and "accepted_until" not in wanted:
        wanted["accepted_until"] = None
    return wanted


def _ids(release: Release, finding_ids: list[int] | None, filters: FindingFilter | None) -> list[int]:
    """The findings chosen: the ids given (each of the release, else `NotFound` naming them), or every
    finding of the release matching `filters` (None: the ticked ids were given)."""
    mine = Finding.objects.filter(release=release)
    if finding_ids is None:
        return list(selectors.filter_findings(mine, filters or FindingFilter()).values_list("pk", flat=True))
    ids = list(dict.fromkeys(finding_ids))[: MAX_BULK + 1]
    present: set[int] = set()
    for start in range(0, len(ids), 500):
        present.update(mine.filter(pk__in=ids[start : start + 500]).values_list("pk", flat=True))
    missing = [str(i) for i in ids if i not in present]
    if missing:
        raise NotFound(f"no finding {', '.join(missing[:SHOWN])} in {release}")
    return ids


def _locked(ids: list[int]) -> list[Finding]:
    found = {
        f.pk: f
        for start in range(0, len(ids), 500)
        for f in Finding.objects.filter(pk__in=ids[start : start + 500])
        .select_related("release__project")
        .select_for_update(of=("self",))
    }
    return [found[i] for i in ids]


@transaction.atomic
def bulk_triage(
    *,
    actor: User,
    release_id: int,
    changes: dict[str, Any],
    finding_ids: list[int] | None = None,
    filters: FindingFilter | None = None,
) -> list[Finding]:
    """Apply the same triage `changes` (the fields of `triage_finding`; None clears owner and dates) to
    the findings of a release chosen by id, or to all matching `filters` when no id is given, all or
    nothing (see the module); the findings in the order chosen."""
    release = selectors.release(actor, release_id)
    require(actor, Perm.EDIT, release.project)
    wanted = _changes(changes)
    ids = _ids(release, finding_ids, filters)
    if not ids:
        raise Invalid("no finding chosen: tick at least one, or choose all matching a filter that finds some")
    if len(ids) > MAX_BULK:
        raise Invalid(f"more than {MAX_BULK} findings chosen: a bulk triage changes at most {MAX_BULK}")
    rows, refused = _locked(ids), []
    for finding in rows:
        fields = dict(wanted)
        try:
            if "owner_id" in fields:
                fields["owner"] = owner_for(finding, fields.pop("owner_id"))
            apply_triage(actor=actor, finding=finding, changes=fields, action=AuditAction.FINDING_TRIAGED)
        except Invalid as refusal:
            refused.append(f"{finding.vulnerability_id} in {finding.release}: {refusal.detail}")
    if refused:
        more = f"; and {len(refused) - SHOWN} more" if len(refused) > SHOWN else ""
        named = "; ".join(refused[:SHOWN])
        raise Invalid(f"nothing changed: {len(refused)} of {len(rows)} refused: {named}{more}")
    return rows
