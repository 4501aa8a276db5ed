"""Reads of vulnerability monitoring: releases, findings and advisory sources scoped to what the user may
see (a release outside it is `NotFound`, never revealed), VEX documents of a release, and the TARA threat
scenarios a finding concerns."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from opencsms.core.errors import Invalid, NotFound
from opencsms.core.models import User
from opencsms.engine.vex import csaf_vex, cyclonedx_vex, openvex
from opencsms.products import selectors as products
from opencsms.tara.models import Element, Kind
from opencsms.vulns import mapping
from opencsms.vulns.models import AdvisorySource, Finding, Notification, Release

MAX_SBOM_BYTES = 64 * 1024 * 1024
MAX_ADVISORY_BYTES = 256 * 1024 * 1024
VEX_FORMATS = ("openvex", "cyclonedx", "csaf")
SEVERITIES = ("CRITICAL", "HIGH", "MEDIUM", "LOW", "NONE", "UNKNOWN")


def releases(user: User, *, project_id: int | None = None) -> QuerySet[Release]:
    found = Release.objects.filter(project__in=products.projects(user).values("pk"))
    if project_id is not None:
        found = found.filter(project_id=project_id)
    counted = found.defer("sbom").annotate(
        finding_count=Count("findings", distinct=True),
        open_count=Count(
            "findings",
            filter=Q(findings__vex_status__in=["affected", "under_investigation"]),
            distinct=True,
        ),
    )
    return counted.order_by("name", "version", "id")


def release(user: User, release_id: int) -> Release:
    found = releases(user).select_related("project__business_unit").filter(pk=release_id).first()
    if found is None:
        raise NotFound(f"no release {release_id}")
    return found


@dataclass(frozen=True)
class FindingFilter:
    """What a list of findings is narrowed to; every field is optional."""

    severity: str = ""
    status: str = ""  # VEX status
    stage: str = ""
    kev: bool | None = None
    q: str = ""  # in the vulnerability id or the component name


def findings(user: User, *, release_id: int, filters: FindingFilter | None = None) -> QuerySet[Finding]:
    """The findings of a release the user may see, worst first."""
    f = filters or FindingFilter()
    found = Finding.objects.filter(release=release(user, release_id))
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
    if f.q:
        found = found.filter(Q(vulnerability_id__icontains=f.q) | Q(component__name__icontains=f.q))
    return found.select_related("component", "owner").order_by("-score", "vulnerability_id", "id")


def finding(user: User, finding_id: int) -> Finding:
    found = (
        Finding.objects.filter(pk=finding_id, release__project__in=products.projects(user).values("pk"))
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


def advisory_sources(user: User, *, organisation_id: int) -> QuerySet[AdvisorySource]:
    visible = products.organisations(user).filter(pk=organisation_id)
    return AdvisorySource.objects.filter(organisation__in=visible.values("pk")).order_by("name", "id")


def notifications(user: User, *, unread_only: bool = False) -> QuerySet[Notification]:
    found = Notification.objects.filter(user=user)
    if unread_only:
        found = found.filter(read_at__isnull=True)
    return found.order_by("-created_at", "-id")


# --- The loop into the TARA (ISO/SAE 21434 8.6 -> 15.7: a vulnerability re-rates attack feasibility) -------


def _steps(node: dict[str, Any], address: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every leaf (attack step) of an attack tree with its address ("" root, "0.2" ...)."""
    gate = next((g for g in ("and", "or") if g in node), None)
    if gate is None:
        return [(address, node)]
    found: list[tuple[str, dict[str, Any]]] = []
    for index, child in enumerate(node.get(gate) or []):
        found.extend(_steps(child, f"{address}.{index}" if address else str(index)))
    return found


def threats_for_finding(finding_obj: Finding) -> list[dict[str, Any]]:
    """The threat scenarios of the release's TARA that pass through the release's TARA component.

    A threat concerns the component when its asset lies on it (`asset.component`), or when a step of one of
    its attack paths uses an interface attached to it (`interface.components`). Each threat lists its
    paths and, per path, the steps on those interfaces (with their address for `link_finding_to_step`);
    for a threat on the component's asset every step is listed. Empty without a component or a TARA.
    """
    release_obj = finding_obj.release
    ref = release_obj.component_ref
    if not ref or release_obj.tara_id is None:
        return []
    rows = Element.objects.filter(
        tara_id=release_obj.tara_id, kind__in=[Kind.INTERFACE, Kind.ASSET, Kind.THREAT_SCENARIO]
    ).order_by("kind", "position")
    interfaces = {e.ref for e in rows if e.kind == Kind.INTERFACE and ref in (e.data.get("components") or [])}
    assets = {e.ref for e in rows if e.kind == Kind.ASSET and e.data.get("component") == ref}
    threats = []
    for element in (e for e in rows if e.kind == Kind.THREAT_SCENARIO):
        on_asset = element.data.get("asset") in assets
        paths = []
        for path in element.data.get("attack_paths") or []:
            steps = [
                {
                    "address": address,
                    "name": str(step.get("name", "")),
                    "interface": step.get("interface", ""),
                    "cvss": step.get("cvss", ""),
                }
                for address, step in _steps(path.get("tree") or {})
                if on_asset or step.get("interface") in interfaces
            ]
            if steps:
                paths.append({"id": path.get("id", ""), "name": path.get("name", ""), "steps": steps})
        if paths:
            threats.append(
                {
                    "ref": element.ref,
                    "name": element.label,
                    "risk": element.risk,
                    "on_asset": on_asset,
                    "paths": paths,
                }
            )
    return threats
