"""Bulk triage: one change of the triage fields to many findings at once, for the finding lists' tick
boxes ("all N matching the filter" included) and the API.

A bulk triage acts on one release's findings (its list): the ticked ids, or every finding matching the
list's filter. All or nothing, like the TARA lists' bulk edit: the caller must be allowed to edit the
release's project (else `PermissionDenied`), an id that is not a finding of the release is refused by id
(`NotFound`), and
each finding is checked by the rules of `triage` (clause 8); when any one is refused the change is
refused as a whole, naming each finding refused and why. Then each changed finding gets its own audit
record (`vulns_finding.triaged`, its triage before and after) and a new version. A finding the change
leaves as it was is not written. A caller that sends the versions it saw of the findings (the list
page's, an API client's) has the change refused as a whole (`StaleMany`, 409) when any of them changed
since, naming each, who saved it and when. The portfolio's bulk triage (`portfolio_bulk.py`) is built
of the same steps: `wanted_changes`, `chosen_ids`, `locked_findings`, `check_versions`,
`apply_to_each`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from opencsms.core import versions
from opencsms.core.audit import AuditAction
from opencsms.core.errors import Invalid, NotFound, StaleItem, StaleMany
from opencsms.core.models import User
from opencsms.organisation.access import Perm, require
from opencsms.vulns import selectors
from opencsms.vulns.models import Decision, Finding, Stage
from opencsms.vulns.selectors import FindingFilter
from opencsms.vulns.services.triage import DATES, apply_triage, owner_for

MAX_BULK = 10_000  # findings in one bulk triage (a whole filtered list of a large release)
FIELDS = ("stage", "vex_status", "justification", "decision", "rationale", "owner_id", "due_date",
          "accepted_until")  # fmt: skip
SHOWN = 20  # refusals named in the message


def wanted_changes(changes: dict[str, Any]) -> dict[str, Any]:
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


def chosen_ids(
    scope: QuerySet[Finding], where: str, finding_ids: list[int] | None, filters: FindingFilter | None
) -> list[int]:
    """The findings chosen among `scope` (a list's findings: a release's, the portfolio's): the ids given
    (each of the scope, else `NotFound` naming them, `where` the list), or every finding of the scope
    matching `filters` (None: the ticked ids were given); at most one more than `MAX_BULK`."""
    if finding_ids is None:
        matching = selectors.filter_findings(scope, filters or FindingFilter()).values_list("pk", flat=True)
        return list(matching[: MAX_BULK + 1])
    ids = list(dict.fromkeys(finding_ids))[: MAX_BULK + 1]
    present: set[int] = set()
    for start in range(0, len(ids), 500):
        present.update(scope.filter(pk__in=ids[start : start + 500]).values_list("pk", flat=True))
    missing = [str(i) for i in ids if i not in present]
    if missing:
        raise NotFound(f"no finding {', '.join(missing[:SHOWN])} in {where}")
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


def locked_findings(ids: list[int]) -> list[Finding]:
    """The chosen findings locked for the change, in the order chosen; refused when there are none or
    more than `MAX_BULK`."""
    if not ids:
        raise Invalid("no finding chosen: tick at least one, or choose all matching a filter that finds some")
    if len(ids) > MAX_BULK:
        raise Invalid(f"more than {MAX_BULK} findings chosen: a bulk triage changes at most {MAX_BULK}")
    return _locked(ids)


def _stale_item(finding: Finding) -> StaleItem:
    what = f"finding {finding.pk} ({finding.vulnerability_id} in {finding.release})"
    return StaleItem(str(finding.pk), what, finding.etag, versions.saved_by(finding))


def check_versions(rows: list[Finding], expected: Mapping[int, str] | None) -> None:
    """Refuse the change as a whole (`StaleMany`) when a chosen finding's triage changed since the caller
    saw it: `expected` holds the version (etag) they saw of each finding by id (core.versions); a finding
    it leaves out is not checked."""
    seen = {pk: versions.unquoted(str(tag)) for pk, tag in (expected or {}).items()}
    stale = [f for f in rows if seen.get(f.pk) not in (None, f.etag)]
    if stale:
        named = [_stale_item(f) for f in stale[:SHOWN]]
        raise StaleMany("findings", named, count=len(stale), total=len(rows))


def apply_to_each(actor: User, rows: list[Finding], changes: dict[str, Any]) -> list[Finding]:
    """The same `changes` (checked by `wanted_changes`) applied to each finding by the rules of `triage`,
    all or nothing: when any is refused, `Invalid` naming each refused and why (the caller's transaction
    then writes nothing)."""
    refused = []
    for finding in rows:
        fields = dict(changes)
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


@transaction.atomic
def bulk_triage(
    *,
    actor: User,
    release_id: int,
    changes: dict[str, Any],
    finding_ids: list[int] | None = None,
    filters: FindingFilter | None = None,
    expected: Mapping[int, str] | None = None,
) -> list[Finding]:
    """Apply the same triage `changes` (the fields of `triage_finding`; None clears owner and dates) to
    the findings of a release chosen by id, or to all matching `filters` when no id is given, all or
    nothing (see the module); the findings in the order chosen. `expected`: the version of each finding
    the caller saw, by id (`check_versions`)."""
    release = selectors.release(actor, release_id)
    require(actor, Perm.EDIT, release.project)
    wanted = wanted_changes(changes)
    ids = chosen_ids(Finding.objects.filter(release=release), str(release), finding_ids, filters)
    rows = locked_findings(ids)
    check_versions(rows, expected)
    return apply_to_each(actor, rows, wanted)
