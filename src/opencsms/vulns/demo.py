"""Demo data of vulnerability monitoring: the SBOMs of two ECU releases of the demo project, placed on the
reference TARA's components, and the example Go advisories (examples/vulns), so a new user sees findings,
their evidence and the notifications on first start.

`load_demo_releases()` is idempotent: it uploads the releases that are missing, imports the advisories
only while the organisation's mirror lacks one of them (an import is audited even when nothing changed),
and gives the gateway release its second SBOM revision once.
Releases are uploaded first, so the advisories' findings also notify the project's people. One finding's
risk is accepted with an expiry (`ACCEPTED`), once: while it is still untriaged. A CVE both releases have
is triaged once for the two by the organisation's decision (`TRIAGED_ONCE`), once.

`load_demo_source()` adds a scheduled advisory source that works offline: a folder under var/
(`settings.DEMO_FEED`, allowed outside production) into which it places one made-up advisory
(examples/vulns/feed/); nothing imports it but the worker's first scheduled sync, so a new user who leaves
the demo alone sees a scheduled sync bring in an advisory and its finding. The organisation's rule for the
loop into the TARA is `automatic`: that finding, on the TCU release, re-rates the attack steps on the TCU
from its CVSS v3 vector, a TARA risk rises above acceptance and the project's people are notified.

The organisation has its own remediation SLA (`DEMO_SLA`, set once), and one finding of the gateway has a
due date a person set in the past (`OVERDUE`, once): the overdue page lists it, and the worker's first
daily escalation notifies the project's managers and administrators.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from opencsms.core.errors import Invalid
from opencsms.core.models import User
from opencsms.organisation import selectors as organisation_selectors
from opencsms.organisation.models import Level, Project
from opencsms.vulns import selectors, services
from opencsms.vulns.models import (
    Advisory,
    AdvisorySource,
    Decision,
    Finding,
    LoopMode,
    Release,
    Stage,
    VexStatus,
)
from opencsms.vulns.models.decisions import VulnerabilityTriage
from opencsms.vulns.models.sla import DueFrom, SlaPolicy


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


@dataclass(frozen=True)
class DemoAcceptance:
    release: str
    vulnerability: str
    rationale: str
    days: int  # the acceptance stands this many days from the demo's first load


ACCEPTED = DemoAcceptance(
    "TCU firmware",
    "CVE-2023-29401",
    "gin serves only the TCU's local diagnostics port, reachable with the workshop's tester: the file name "
    "injection needs that access. Accepted until the gin update planned with the next release.",
    90,
)
TRIAGED_ONCE = DemoAcceptance(  # in both demo releases (golang.org/x/text): one decision for the two
    "", "CVE-2022-32149",
    "Both firmwares parse Accept-Language headers from the diagnostics web UI: update golang.org/x/text to "
    "0.3.8 or later in the next release of each.", 60,
)  # fmt: skip
REVISION = DemoRelease("Gateway firmware", "1.8.0", "cgw-firmware-1.8.0-r2.cdx.json", "CGW")  # its 2nd SBOM
DEMO_SOURCE = "Field advisories (demo, scheduled)"
DEMO_EVERY = 3600  # seconds: hourly; the first scheduled run is due at once
NEW_ADVISORY = "new-advisory.osv.json"  # left for the user to import: its finding appears without a rescan
DEMO_SLA = {"critical": 7, "high": 30, "medium": 60, "low": 180, "unknown": 90, "kev": 14, "escalation": 5}
OVERDUE = ("Gateway firmware", "CVE-2020-27813", 10)  # release, vulnerability, days past its due date


def _sla(actor: User, project: Project) -> None:
    """The organisation's own SLA (once), and one finding a person gave a due date now past (once)."""
    organisation_id = project.business_unit.organisation_id
    if not SlaPolicy.objects.filter(organisation_id=organisation_id).exists():
        services.set_sla_policy(actor=actor, organisation_id=organisation_id, terms=DEMO_SLA)
    name, vulnerability, late = OVERDUE
    found = Finding.objects.filter(
        release__project=project, release__name=name, vulnerability_id=vulnerability, due_from=DueFrom.SLA
    ).first()
    if found is not None:
        due = timezone.localdate() - dt.timedelta(days=late)
        services.triage_finding(actor=actor, finding_id=found.pk, due_date=due)


def _accept_one(actor: User, project: Project) -> None:
    """A risk accepted with an expiry (it reopens 90 days after the demo was first loaded), once."""
    found = Finding.objects.filter(
        release__project=project, release__name=ACCEPTED.release, vulnerability_id=ACCEPTED.vulnerability
    ).first()
    if found is None or found.stage != Stage.EVENT:
        return
    services.triage_finding(
        actor=actor, finding_id=found.pk, stage=Stage.DECIDED, vex_status=VexStatus.AFFECTED,
        decision=Decision.ACCEPT, rationale=ACCEPTED.rationale,
        accepted_until=timezone.localdate() + dt.timedelta(days=ACCEPTED.days),
    )  # fmt: skip


def _triage_once(actor: User, project: Project) -> None:
    """The organisation's decision on a CVE both releases have, made once for the two (issue 12)."""
    organisation_id = project.business_unit.organisation_id
    decided = VulnerabilityTriage.objects.filter(
        organisation_id=organisation_id, vulnerability_id=TRIAGED_ONCE.vulnerability
    )
    if decided.exists():
        return
    services.triage_vulnerability(
        actor=actor, organisation_id=organisation_id, vulnerability_id=TRIAGED_ONCE.vulnerability,
        vex_status=VexStatus.AFFECTED, decision=Decision.REMEDIATE, rationale=TRIAGED_ONCE.rationale,
        due_date=timezone.localdate() + dt.timedelta(days=TRIAGED_ONCE.days),
    )  # fmt: skip


def _second_revision(actor: User, project: Project, folder: Path) -> None:
    """The gateway release's corrected SBOM as its revision 2 (once): one finding closed, one carried, one
    new."""
    gateway = selectors.releases(actor, project_id=project.pk).get(
        name=REVISION.name, version=REVISION.version
    )
    if not selectors.sbom_revisions(gateway).filter(number__gte=2).exists():
        raw = (folder / REVISION.file).read_bytes()
        services.replace_sbom(actor=actor, release_id=gateway.pk, raw=raw, filename=REVISION.file)


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
    _accept_one(actor, project)
    _second_revision(actor, project, folder)
    _triage_once(actor, project)
    _automatic_loop(actor, project)
    _sla(actor, project)
    found = selectors.releases(actor, project_id=project.pk).filter(name__in=[d.name for d in DEMO_RELEASES])
    return [(release, release.finding_count) for release in found]  # type: ignore[attr-defined]


@transaction.atomic
def load_demo_source(*, actor: User, organisation_id: int, folder: Path, feed: Path) -> AdvisorySource:
    """The demo's scheduled folder source (made once, through the services): `feed` made and given the
    advisories of `folder`/feed (existing files kept), its schedule due at once."""
    if settings.ENV.is_production:
        raise Invalid("demo data is refused with OPENCSMS_ENV=production")
    found = AdvisorySource.objects.filter(organisation_id=organisation_id, name=DEMO_SOURCE).first()
    if found is not None:
        return found
    feed.mkdir(parents=True, exist_ok=True)
    for advisory in sorted((folder / "feed").glob("*.json")):
        if not (feed / advisory.name).exists():
            (feed / advisory.name).write_bytes(advisory.read_bytes())
    source = services.create_advisory_source(
        actor=actor, organisation_id=organisation_id, name=DEMO_SOURCE, kind="osv_path", location=str(feed)
    )
    return services.set_schedule(actor=actor, source_id=source.pk, every=DEMO_EVERY)


def _automatic_loop(actor: User, project: Project) -> None:
    """The organisation's rule for the loop into the TARA: automatic (set once)."""
    organisation_id = project.business_unit.organisation_id
    if selectors.loop_mode(organisation_id) != LoopMode.AUTOMATIC:
        services.set_tara_loop_rule(actor=actor, organisation_id=organisation_id, mode=LoopMode.AUTOMATIC)
