"""Releases and their SBOMs: upload an SBOM as a new release of a project, placed on a TARA component.

The engine reads the SBOM first (format detection, hostile-input limits), so a refused file changes
nothing; the components are stored with their match keys and matched against the organisation's stored
advisories at once (ISO/SAE 21434 8.3, 8.5).
"""

from __future__ import annotations

import hashlib

from django.db import transaction

from opencsms.core import audit
from opencsms.core.audit import AuditAction
from opencsms.core.errors import Conflict, Invalid, from_engine
from opencsms.core.models import User
from opencsms.engine import ParseError
from opencsms.engine.sbom import Sbom, parse_sbom
from opencsms.organisation import selectors as organisation_selectors
from opencsms.organisation.access import Perm, require
from opencsms.organisation.models import Level, Project
from opencsms.tara.models import Tara
from opencsms.vulns import mapping, selectors
from opencsms.vulns.models import ComponentKey, Release, ReleaseComponent, SbomRevision
from opencsms.vulns.services.matching import match_release
from opencsms.vulns.services.tara_loop import loop_new_findings


def read_sbom(raw: bytes, filename: str) -> Sbom:
    if len(raw) > selectors.MAX_SBOM_BYTES:
        raise Invalid(f"the SBOM is larger than {selectors.MAX_SBOM_BYTES // (1024 * 1024)} MB")
    try:
        return parse_sbom(raw, filename or "<upload>")
    except ParseError as exc:
        raise from_engine(exc, "the file is not a readable SBOM") from None


MAX_PROBLEMS = 200  # kept with a release: enough to fix the SBOM, bounded for a hostile one


def sbom_problems(sbom: Sbom) -> list[str]:
    """The SBOM's problems as text, at most `MAX_PROBLEMS` and how many more."""
    found = [f"{p.rule}: {p.message}" for p in sbom.problems]
    more = len(found) - MAX_PROBLEMS
    return found[:MAX_PROBLEMS] + ([f"and {more} more"] if more > 0 else [])


def _tara(project: Project, tara_id: int | None, component_ref: str) -> Tara | None:
    if tara_id is None:
        if component_ref:
            return Tara.objects.filter(project=project).order_by("id").first()
        return None
    found = Tara.objects.filter(project=project, pk=tara_id).first()
    if found is None:
        raise Invalid(f"the project has no TARA {tara_id}")
    return found


def _store_components(release: Release, sbom: Sbom) -> tuple[list[ReleaseComponent], set[str]]:
    """The SBOM's components stored with their match keys: (the rows, every match key)."""
    rows = [mapping.component_row(release, c, position) for position, c in enumerate(sbom.components)]
    ReleaseComponent.objects.bulk_create(rows, batch_size=1000)
    keys = [
        ComponentKey(component=row, key=key, version=version[:200])
        for row, component in zip(rows, sbom.components, strict=True)
        for key, version in mapping.component_key_texts(component)
    ]
    ComponentKey.objects.bulk_create(keys, batch_size=1000)
    return rows, {k.key for k in keys}


def first_revision(release: Release) -> SbomRevision:
    """Revision 1 of a release's SBOM: the one it was created from, as the release holds it (written at
    upload, or when a release older than revisions is first replaced: `revisions.replace_sbom`)."""
    return SbomRevision.objects.create(
        release=release,
        number=1,
        sbom=release.sbom,
        filename=release.sbom_filename,
        sha256=release.sbom_sha256,
        format=release.sbom_format,
        uploaded_by_id=release.created_by_id,
        uploaded_at=release.created_at,
        summary={"components": {"added": ReleaseComponent.objects.filter(release=release).count()}},
    )


@transaction.atomic
def upload_sbom(
    *,
    actor: User,
    project_id: int,
    name: str,
    version: str,
    raw: bytes,
    filename: str = "",
    component_ref: str = "",
    tara_id: int | None = None,
) -> Release:
    """A new release of the project from its SBOM; its findings against the stored advisories. What the SBOM
    gives that cannot be used (bad purls or CPEs, values that are not text, nameless components) is kept
    with the release as its `problems`: the rest is still analysed."""
    project = organisation_selectors.level(actor, Level.PROJECT, project_id)
    assert isinstance(project, Project)
    require(actor, Perm.EDIT, project)
    name, version = name.strip(), version.strip()
    if not name or not version:
        raise Invalid("a release needs a name and a version")
    sbom = read_sbom(raw, filename)
    if Release.objects.filter(project_id=project.pk, name=name, version=version).exists():
        raise Conflict(
            f"the project has a release {name} {version}: an SBOM of new software is a new version"
        )
    release = Release.objects.create(
        project=project,
        name=name[:200],
        version=version[:100],
        component_ref=component_ref.strip()[:100],
        tara=_tara(project, tara_id, component_ref.strip()),
        sbom=raw,
        sbom_filename=filename[:255],
        sbom_sha256=hashlib.sha256(raw).hexdigest(),
        sbom_format=sbom.format[:64],
        problems=sbom_problems(sbom),
        created_by=actor,
    )
    rows, keys = _store_components(release, sbom)
    created = match_release(release, rows, sbom, keys)
    first_revision(release)
    loop_new_findings(actor, created)
    audit.record(
        actor=actor,
        action=AuditAction.RELEASE_CREATED,
        obj=release,
        after={
            **audit.snapshot(release),
            "components": len(rows),
            "findings": len(created),
            "problems": len(sbom.problems),
        },
        scope=release.scope,
    )
    return release
