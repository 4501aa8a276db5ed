"""Reads of vulnerability monitoring: releases, findings, advisories and advisory sources scoped to what the
user may see (a release outside it is `NotFound`, never revealed), VEX documents of a release, and the
caller's notifications."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.fields.json import KT, KeyTransform
from django.db.models.functions import Coalesce
from django.utils import timezone

from opencsms.core.errors import Invalid, NotFound
from opencsms.core.models import User
from opencsms.engine.vex import csaf_vex, cyclonedx_vex, openvex
from opencsms.organisation import selectors as organisation_selectors
from opencsms.organisation.models import Level, Organisation
from opencsms.vulns import mapping
from opencsms.vulns.models import (
    Advisory,
    AdvisorySource,
    Finding,
    Notification,
    Release,
    ReleaseComponent,
    SbomRevision,
    VexImport,
    VexStatus,
)
from opencsms.vulns.selectors.sla import overdue_q

MAX_SBOM_BYTES = 64 * 1024 * 1024
MAX_ADVISORY_BYTES = 256 * 1024 * 1024
VEX_FORMATS = ("openvex", "cyclonedx", "csaf")
SEVERITIES = ("CRITICAL", "HIGH", "MEDIUM", "LOW", "NONE", "UNKNOWN")
OPEN = (VexStatus.AFFECTED, VexStatus.UNDER_INVESTIGATION)
# The sort keys of a findings list and their ORDER BY (scores and EPSS without a value last either way).
FINDING_SORTS: dict[str, tuple[Any, ...]] = {
    "-score": (F("score").desc(nulls_last=True), "vulnerability_id", "id"),
    "score": (F("score").asc(nulls_last=True), "vulnerability_id", "id"),
    "vulnerability_id": ("vulnerability_id", "id"),
    "-vulnerability_id": ("-vulnerability_id", "-id"),
    "component": ("component__name", "component__version", "vulnerability_id", "id"),
    "-epss": (F("epss").desc(nulls_last=True), "vulnerability_id", "id"),
    "due_date": (F("due_date").asc(nulls_last=True), "vulnerability_id", "id"),
    "-due_date": (F("due_date").desc(nulls_last=True), "vulnerability_id", "id"),
    "stage": ("stage", "vulnerability_id", "id"),
    "vex_status": ("vex_status", "vulnerability_id", "id"),
    "release": ("release__name", "release__version", "vulnerability_id", "id"),
}


def _open_count(severity: str | None = None) -> Count:
    condition = Q(findings__vex_status__in=OPEN)
    if severity is not None:
        condition &= Q(findings__severity=severity)
    return Count("findings", filter=condition, distinct=True)


def releases(user: User, *, project_id: int | None = None) -> QuerySet[Release]:
    """The releases the user may see with their counts: findings, open findings (in total and by
    severity) and components (a subquery, so the two relations do not multiply each other's rows). Of one
    project: `NotFound` when the user cannot see the project (as its detail)."""
    found = Release.objects.filter(project__in=organisation_selectors.projects(user).values("pk"))
    if project_id is not None:
        organisation_selectors.level(user, Level.PROJECT, project_id)
        found = found.filter(project_id=project_id)
    components = (
        ReleaseComponent.objects.filter(release=OuterRef("pk"), removed_in__isnull=True)
        .order_by()
        .values("release")
        .annotate(n=Count("pk"))
        .values("n")
    )
    counted = found.defer("sbom").annotate(
        finding_count=Count("findings", distinct=True),
        open_count=_open_count(),
        open_critical=_open_count("CRITICAL"),
        open_high=_open_count("HIGH"),
        open_medium=_open_count("MEDIUM"),
        open_low=_open_count("LOW"),
        component_count=Coalesce(Subquery(components, output_field=IntegerField()), 0),
    )
    return counted.select_related("tara").order_by("name", "version", "id")


def release(user: User, release_id: int) -> Release:
    found = releases(user).select_related("project__business_unit").filter(pk=release_id).first()
    if found is None:
        raise NotFound(f"no release {release_id}")
    return found


def components(release_obj: Release) -> QuerySet[ReleaseComponent]:
    """The components of a release the caller already holds (`release()` checked the scope), but those
    that left it in a later SBOM revision."""
    return ReleaseComponent.objects.filter(release=release_obj, removed_in__isnull=True).order_by("position")


VEX_IMPORTS_SHOWN = 10


def vex_imports(*, release_obj: Release | None = None, organisation_id: int | None = None) -> list[VexImport]:
    """The last VEX imports of a release the caller holds, or an organisation's own (not a release's)."""
    found = VexImport.objects.select_related("imported_by", "release")
    if release_obj is not None:
        found = found.filter(release=release_obj)
    elif organisation_id is not None:
        found = found.filter(organisation_id=organisation_id, release__isnull=True)
    else:
        return []
    return list(found.order_by("-imported_at", "-id")[:VEX_IMPORTS_SHOWN])


def sbom_revisions(release_obj: Release) -> QuerySet[SbomRevision]:
    """The SBOM revisions of a release the caller already holds, the newest first (without their bytes)."""
    found = SbomRevision.objects.filter(release=release_obj).defer("sbom").select_related("uploaded_by")
    return found.order_by("-number")


@dataclass(frozen=True)
class FindingFilter:
    """What a list of findings is narrowed to and its order; every field is optional."""

    severity: str = ""
    status: str = ""  # VEX status
    stage: str = ""
    kev: bool | None = None
    q: str = ""  # in the vulnerability id, its aliases or the component name
    sort: str = "-score"
    overdue: bool = False  # only open findings past their due date (selectors.sla)


def filter_findings(found: QuerySet[Finding], f: FindingFilter) -> QuerySet[Finding]:
    """Narrow and order findings; an unknown severity is refused, an unknown sort is the default."""
    if f.severity:
        if f.severity.upper() not in SEVERITIES:
            raise Invalid(f"severity {f.severity!r}: use one of {', '.join(SEVERITIES)}")
        found = found.filter(severity=f.severity.upper())
    if f.status:
        found = found.filter(vex_status=f.status)
    if f.stage:
        found = found.filter(stage=f.stage)
    if f.kev is not None:
        found = found.filter(kev=f.kev)
    if f.overdue:
        found = found.filter(overdue_q(timezone.localdate()))
    if f.q:
        found = found.filter(
            Q(vulnerability_id__icontains=f.q) | Q(aliases__icontains=f.q) | Q(component__name__icontains=f.q)
        )
    return found.order_by(*FINDING_SORTS.get(f.sort, FINDING_SORTS["-score"]))


def findings(user: User, *, release_id: int, filters: FindingFilter | None = None) -> QuerySet[Finding]:
    """The findings of a release the user may see, worst first."""
    found = Finding.objects.filter(release=release(user, release_id))
    return filter_findings(found, filters or FindingFilter()).select_related("component", "owner")


def portfolio_findings(
    user: User, filters: FindingFilter | None = None, *, organisation_id: int | None = None
) -> QuerySet[Finding]:
    """Findings of every release the user may see (of one organisation when given): which releases a
    vulnerability affects."""
    projects = organisation_selectors.projects(user)
    if organisation_id is not None:
        projects = projects.filter(business_unit__organisation_id=organisation_id)
    found = Finding.objects.filter(release__project__in=projects.values("pk"))
    return filter_findings(found, filters or FindingFilter()).select_related(
        "component", "release__project", "owner"
    )


def finding(user: User, finding_id: int) -> Finding:
    found = (
        Finding.objects.filter(
            pk=finding_id, release__project__in=organisation_selectors.projects(user).values("pk")
        )
        .select_related("component", "release__project__business_unit", "release__tara", "owner")
        .first()
    )
    if found is None:
        raise NotFound(f"no finding {finding_id}")
    return found


def vex_document(release_obj: Release, fmt: str, *, author: str = "OpenCSMS") -> dict[str, Any]:
    """The release's findings and their triage as a VEX document (the SBOM's purls name the products)."""
    if fmt not in VEX_FORMATS:
        raise Invalid(f"format {fmt!r}: use one of {', '.join(VEX_FORMATS)}")
    rows = Finding.objects.filter(release=release_obj).select_related("component", "release")
    found = [mapping.to_finding(row) for row in rows.order_by("vulnerability_id", "component__position")]
    stamp = timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ")
    name = uuid.uuid5(uuid.NAMESPACE_URL, f"opencsms:release:{release_obj.pk}:{stamp}")
    if fmt == "openvex":
        return openvex(found, doc_id=f"urn:uuid:{name}", author=author, timestamp=stamp)
    if fmt == "cyclonedx":
        return cyclonedx_vex(found, serial=f"urn:uuid:{name}", timestamp=stamp)
    tracking = f"OPENCSMS-{release_obj.pk}-{stamp[:10]}"
    return csaf_vex(found, tracking_id=tracking, publisher=author, timestamp=stamp)


def vex_bytes(release_obj: Release, fmt: str) -> bytes:
    return json.dumps(vex_document(release_obj, fmt), indent=2, ensure_ascii=False).encode()


def advisories(organisation: Organisation, *, q: str = "") -> QuerySet[Advisory]:
    """The mirrored advisories of an organisation a scoped selector resolved (`organisation.selectors.level`),
    without their documents: the summary and what could not be read (`problems`: CSAF ranges left out)
    are read from the JSON in the database."""
    found = Advisory.objects.filter(organisation=organisation)
    if q:
        found = found.filter(Q(advisory_id__icontains=q) | Q(aliases__icontains=q))
    read = {"summary": KT("data__summary"), "problems": KeyTransform("problems", "data")}
    found = found.defer("data").annotate(**read)
    return found.order_by("advisory_id", "id")


def advisory_sources(user: User, *, organisation_id: int) -> QuerySet[AdvisorySource]:
    """The organisation's advisory sources; `NotFound` when the user cannot see the organisation."""
    organisation = organisation_selectors.level(user, Level.ORGANISATION, organisation_id)
    return AdvisorySource.objects.filter(organisation_id=organisation.pk).order_by("name", "id")


def advisory_source(user: User, source_id: int) -> AdvisorySource:
    """One source of an organisation the user sees (NotFound otherwise)."""
    visible = organisation_selectors.organisations(user)
    found = AdvisorySource.objects.filter(pk=source_id, organisation__in=visible.values("pk")).first()
    if found is None:
        raise NotFound(f"no advisory source {source_id}")
    return found


def notifications(user: User, *, unread_only: bool = False) -> QuerySet[Notification]:
    found = Notification.objects.filter(user=user)
    if unread_only:
        found = found.filter(read_at__isnull=True)
    return found.order_by("-created_at", "-id")


def unread_count(user: User) -> int:
    """The number of the user's unread notifications (one indexed COUNT: the header shows it)."""
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
