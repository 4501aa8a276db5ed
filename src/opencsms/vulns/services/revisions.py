"""A release's SBOM replaced by a new revision (ISO/SAE 21434 8.3, 8.5: the components are monitored as
they change; R155 7.2.2.2(g)).

The new SBOM's components are diffed with the release's (`engine.sbom.diff`: the same package and
version is the same component; a version change is a new component):
- a kept component keeps its row, so its findings are carried over with their triage;
- a component that left is marked `removed_in` the revision, loses its match keys (no advisory matches it
  any more), and its open findings (under investigation or affected) are closed as not affected,
  `component_not_present`, with the rationale "component left the release in SBOM revision N";
- new components are stored and the release is matched again against the stored advisories: new matches
  are new findings (their people notified), known ones merge into the rows they have.
All of it in one transaction: a refused file or a failure leaves the release as it was. Revision 1 is the
SBOM the release was created from (written for a release older than revisions when it is first replaced).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import transaction

from opencsms.core import audit
from opencsms.core.audit import AuditAction
from opencsms.core.errors import Conflict
from opencsms.core.models import User
from opencsms.engine.sbom import Component, Sbom
from opencsms.engine.sbom.diff import SbomDiff, diff_components
from opencsms.organisation.access import Perm, require
from opencsms.vulns import mapping, selectors
from opencsms.vulns.models import ComponentKey, Finding, Release, ReleaseComponent, SbomRevision, VexStatus
from opencsms.vulns.services.matching import match_release
from opencsms.vulns.services.notifications import notify_new_findings
from opencsms.vulns.services.releases import first_revision, read_sbom, sbom_problems
from opencsms.vulns.services.tara_loop import loop_new_findings
from opencsms.vulns.services.withdrawals import close_finding

LEFT = "component_not_present"
REFRESHED = ["ref", "name", "version", "purl", "cpe", "supplier", "hashes", "position"]
MAX_LISTED = 50  # version changes named in a revision's summary


def _next_number(release: Release) -> int:
    last = SbomRevision.objects.filter(release=release).order_by("-number").first()
    return (last or first_revision(release)).number + 1


def _leave(actor: User, rows: tuple[ReleaseComponent, ...], number: int) -> int:
    """Components that left in revision `number`: marked, unkeyed, their open findings closed; how many."""
    ids = [row.pk for row in rows]
    ReleaseComponent.objects.filter(pk__in=ids).update(removed_in=number)
    ComponentKey.objects.filter(component__in=ids).delete()
    open_rows = (
        Finding.objects.filter(
            component__in=ids, vex_status__in=(VexStatus.UNDER_INVESTIGATION, VexStatus.AFFECTED)
        )
        .select_related("release", "component")
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    closed = 0
    for finding in open_rows:
        component = finding.component
        rationale = f"Component {component} left the release in SBOM revision {number}"
        close_finding(actor, finding, LEFT, rationale, AuditAction.FINDING_CLOSED_COMPONENT_LEFT)
        closed += 1
    return closed


def _store(
    release: Release, sbom: Sbom, diff: SbomDiff[ReleaseComponent]
) -> tuple[list[ReleaseComponent], set[str]]:
    """The kept rows refreshed from the new SBOM (reference, identifiers, position) and the new ones
    created, all with fresh match keys: (the release's rows now, every match key)."""
    position = {id(component): index for index, component in enumerate(sbom.components)}
    kept, refreshed = [], []
    for row, component in diff.kept:
        fresh = mapping.component_row(release, component, position[id(component)])
        if any(getattr(row, name) != getattr(fresh, name) for name in REFRESHED):
            for name in REFRESHED:
                setattr(row, name, getattr(fresh, name))
            refreshed.append(row)
        kept.append(row)
    for row in refreshed:  # one UPDATE each: Django's bulk_update (a CASE per field) took 40 s for 1,000 rows
        ReleaseComponent.objects.filter(pk=row.pk).update(**{name: getattr(row, name) for name in REFRESHED})
    ComponentKey.objects.filter(component__in=[row.pk for row in kept]).delete()
    added = [mapping.component_row(release, c, position[id(c)]) for c in diff.added]
    ReleaseComponent.objects.bulk_create(added, batch_size=1000)
    pairs: list[tuple[ReleaseComponent, Component]] = [
        *((row, c) for row, (_, c) in zip(kept, diff.kept, strict=True)),
        *zip(added, diff.added, strict=True),
    ]
    keys = [
        ComponentKey(component=row, key=key, version=version[:200])
        for row, component in pairs
        for key, version in mapping.component_key_texts(component)
    ]
    ComponentKey.objects.bulk_create(keys, batch_size=1000)
    return [row for row, _ in pairs], {k.key for k in keys}


def _summary(diff: SbomDiff[ReleaseComponent], carried: int, closed: int, new: int) -> dict[str, Any]:
    changes = [f"{old.name} {old.version} -> {new_.version}" for old, new_ in diff.changed[:MAX_LISTED]]
    return {
        "components": diff.counts(),
        "findings": {"carried": carried, "closed": closed, "new": new},
        "changes": changes,
    }


@transaction.atomic
def replace_sbom(*, actor: User, release_id: int, raw: bytes, filename: str = "") -> SbomRevision:
    """Replace a release's SBOM with a new revision (see the module); the revision, with its summary."""
    visible = selectors.release(actor, release_id)
    require(actor, Perm.EDIT, visible.project)
    release = Release.objects.select_for_update().select_related("project__business_unit").get(pk=visible.pk)
    sbom = read_sbom(raw, filename)
    digest = hashlib.sha256(raw).hexdigest()
    if digest == release.sbom_sha256:
        raise Conflict(
            f"{filename or 'this file'} is the release's current SBOM (SHA-256 {digest}): nothing to replace"
        )
    number = _next_number(release)
    before = audit.snapshot(release)
    active = ReleaseComponent.objects.filter(release=release, removed_in__isnull=True).order_by("position")
    diff = diff_components([(row, mapping.to_component(row)) for row in active], sbom.components)
    carried = Finding.objects.filter(component__in=[row.pk for row, _ in diff.kept]).count()
    closed = _leave(actor, diff.removed, number)
    rows, keys = _store(release, sbom, diff)
    created = match_release(release, rows, sbom, keys)
    release.sbom, release.sbom_filename, release.sbom_sha256 = raw, filename[:255], digest
    release.sbom_format, release.problems = sbom.format[:64], sbom_problems(sbom)
    release.save(update_fields=["sbom", "sbom_filename", "sbom_sha256", "sbom_format", "problems"])
    summary = _summary(diff, carried, closed, len(created))
    revision = SbomRevision.objects.create(
        release=release, number=number, sbom=raw, filename=filename[:255], sha256=digest,
        format=sbom.format[:64], uploaded_by=actor, summary=summary,
    )  # fmt: skip
    audit.record(
        actor=actor,
        action=AuditAction.RELEASE_SBOM_REPLACED,
        obj=release,
        before=before,
        after={**audit.snapshot(release), "revision": number, **summary},
        scope=release.scope,
    )
    notify_new_findings(created)
    loop_new_findings(actor, created)
    return revision
