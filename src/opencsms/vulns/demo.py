"""Demo data of vulnerability monitoring: the SBOMs of two ECU releases of the demo project, placed on the
reference TARA's components, and the example Go advisories (examples/vulns), so a new user sees findings,
their evidence and the notifications on first start.

`load_demo_releases()` is idempotent: it uploads the releases that are missing and imports the advisories
only while the organisation's mirror lacks one of them (an import is audited even when nothing changed).
Releases are uploaded first, so the advisories' findings also notify the project's people. Then the
organisation's rule for the loop into the TARA is set to `automatic` and a made-up advisory with a CVSS v3
vector is imported: its finding on the TCU release re-rates the attack steps on the TCU, a TARA risk rises
above acceptance and the project's people find the notification.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from opencsms.core.errors import Invalid
from opencsms.core.models import User
from opencsms.organisation import selectors as organisation_selectors
from opencsms.organisation.models import Level, Project
from opencsms.vulns import selectors, services
from opencsms.vulns.models import Advisory, LoopMode, Release


@dataclass(frozen=True)
class DemoRelease:
    name: str
    version: str
    file: str
    component: str  # the reference TARA's component it runs on


DEMO_RELEASES = (
    DemoRelease("TCU firmware", "4.2.0", "tcu-firmware-4.2.0.cdx.json", "TCU"),
    DemoRelease("Gateway firmware", "1.8.0", "cgw-firmware-1.8.0.cdx.json", "CGW"),
)
NEW_ADVISORY = "new-advisory.osv.json"  # left for the user to import: its finding appears without a rescan
LOOP_ADVISORY = "loop-advisory.osv.json"  # imported with the rule automatic: a re-rating that notifies
LOOP_ADVISORY_ID = "EXAMPLE-2026-0002"


@transaction.atomic
def load_demo_releases(
    *, actor: User, project_id: int, folder: Path, tara_id: int | None
) -> list[tuple[Release, int]]:
    """The demo releases of the project with their finding counts, made by `actor` through the services."""
    if settings.ENV.is_production:
        raise Invalid("demo data is refused with OPENCSMS_ENV=production")
    project = organisation_selectors.level(actor, Level.PROJECT, project_id)
    assert isinstance(project, Project)
    existing = selectors.releases(actor, project_id=project.pk)
    for demo in DEMO_RELEASES:
        if not existing.filter(name=demo.name, version=demo.version).exists():
            services.upload_sbom(
                actor=actor, project_id=project.pk, name=demo.name, version=demo.version,
                raw=(folder / demo.file).read_bytes(), filename=demo.file,
                component_ref=demo.component if tara_id else "", tara_id=tara_id,
            )  # fmt: skip
    files = sorted((folder / "advisories").glob("*.json"))
    stored = Advisory.objects.filter(
        organisation_id=project.business_unit.organisation_id, advisory_id__in=[f.stem for f in files]
    )
    if stored.count() < len(files):
        services.import_advisories(actor=actor, project_id=project.pk, paths=[folder / "advisories"])
    _close_the_loop(actor, project, folder / LOOP_ADVISORY)
    found = selectors.releases(actor, project_id=project.pk).filter(name__in=[d.name for d in DEMO_RELEASES])
    return [(release, release.finding_count) for release in found]  # type: ignore[attr-defined]


def _close_the_loop(actor: User, project: Project, advisory: Path) -> None:
    """The rule `automatic`, then the made-up advisory that re-rates the TCU's attack steps (once)."""
    organisation_id = project.business_unit.organisation_id
    if Advisory.objects.filter(organisation_id=organisation_id, advisory_id=LOOP_ADVISORY_ID).exists():
        return
    services.set_tara_loop_rule(actor=actor, organisation_id=organisation_id, mode=LoopMode.AUTOMATIC)
    services.import_advisories(actor=actor, project_id=project.pk, paths=[advisory])
