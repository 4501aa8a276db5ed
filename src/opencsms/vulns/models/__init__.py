"""Vulnerability monitoring in the server (ISO/SAE 21434 clause 8; UNECE R155 7.2.2.2(g)).

- `Release`: one ECU software release of a project, its current SBOM stored as uploaded (bytes, SHA-256,
  format; every SBOM it had is an `SbomRevision`, models/revisions.py), optionally placed on a component
  of the project's TARA (`component_ref`), which closes the loop into it; a component that left in a later
  revision is kept (`removed_in`) with its closed findings.
- `ReleaseComponent` + `ComponentKey`: the SBOM's components, each filed under the engine's match keys
  ((purl type, namespace, name) or ("cpe", vendor, product)), so a new advisory finds its candidate
  components by an indexed lookup, never by rescanning every release.
- `Advisory` + `AdvisoryKey`: an organisation's mirror of advisories (the normalised engine value as JSON),
  keyed the same way, so a new SBOM finds its candidate advisories by index too.
- `Finding`: a component of a release affected by a vulnerability (unique per release, component and
  vulnerability id), with the engine's evidence and the triage state of clause 8 on the same row.
- `AdvisorySource`: where an organisation's advisories come from (a folder/zip path or a feed URL).
- `Notification`: a message to a person (new findings of a release; a TARA risk rose above acceptance because
  of a finding), shown in the app and delivered by email and webhook when configured.
- `KnownExploited`, `EpssScore`: an organisation's copy of CISA KEV and FIRST EPSS, which set the KEV flag
  and the EPSS of its findings (ISO/SAE 21434 8.5: exploitability).
- `LoopRule`, `StepLink` (`loop.py`): the loop from findings into the TARA's attack steps.
No workflows here: see services/.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.db import models
from django.utils import timezone

from opencsms.core.models import User
from opencsms.organisation.models import Organisation, Project
from opencsms.tara.models import Tara
from opencsms.vulns.models import decisions as decisions  # its models: vulnerability triage
from opencsms.vulns.models.exploitation import EpssScore as EpssScore
from opencsms.vulns.models.exploitation import KnownExploited as KnownExploited
from opencsms.vulns.models.loop import LinkStatus as LinkStatus
from opencsms.vulns.models.loop import LoopMode as LoopMode
from opencsms.vulns.models.loop import LoopRule as LoopRule
from opencsms.vulns.models.loop import StepLink as StepLink
from opencsms.vulns.models.notifications import Notification as Notification
from opencsms.vulns.models.revisions import SbomRevision as SbomRevision
from opencsms.vulns.models.sla import DueFrom  # (and SlaPolicy, Escalation: models/sla.py)
from opencsms.vulns.models.vex import VexImport as VexImport

KEY_LENGTH = 600


class Release(models.Model):
    """An ECU software release of a project and its current SBOM (a corrected SBOM of the same software
    replaces it as a new revision; new software is a new release version)."""

    audit_fields: ClassVar[tuple[str, ...]] = (
        "project",
        "name",
        "version",
        "component_ref",
        "tara",
        "sbom_sha256",
        "sbom_format",
    )

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="releases")
    name = models.CharField(max_length=200)
    version = models.CharField(max_length=100)
    component_ref = models.CharField(
        max_length=100, blank=True, help_text="The id of the TARA component this software runs on"
    )
    tara = models.ForeignKey(Tara, on_delete=models.SET_NULL, null=True, blank=True, related_name="releases")
    sbom = models.BinaryField(help_text="The SBOM as uploaded")
    sbom_filename = models.CharField(max_length=255, blank=True)
    sbom_sha256 = models.CharField(max_length=64)
    sbom_format = models.CharField(max_length=64)
    problems = models.JSONField(
        default=list, blank=True, help_text="What the SBOM gave that could not be used (bad purls, CPEs...)"
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "version", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "name", "version"], name="vulns_release_name_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.version}"

    @property
    def scope(self) -> str:
        return f"project:{self.project_id}"

    @property
    def label(self) -> str:
        """The release's name in engine findings and VEX documents."""
        return f"{self.name}@{self.version}"


class ReleaseComponent(models.Model):
    """One component of a release's SBOM, as the engine read it."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="components")
    ref = models.CharField(max_length=500, help_text="The SBOM's bom-ref or SPDX id")
    name = models.CharField(max_length=500)
    version = models.CharField(max_length=200, blank=True)
    purl = models.CharField(max_length=1000, blank=True)
    cpe = models.CharField(max_length=500, blank=True)
    other_cpes = models.JSONField(
        default=list, blank=True, help_text="Every further CPE the SBOM gives (all are matched)"
    )
    supplier = models.CharField(max_length=500, blank=True)
    hashes = models.JSONField(default=list)
    position = models.PositiveIntegerField()
    removed_in = models.PositiveIntegerField(
        null=True, blank=True, help_text="The SBOM revision the component left the release in"
    )

    class Meta:
        ordering = ["release", "position"]

    def __str__(self) -> str:
        return f"{self.name} {self.version}".strip()


class ComponentKey(models.Model):
    """A match key of a component (`type\\x1fnamespace\\x1fname`) and the version compared under it."""

    component = models.ForeignKey(ReleaseComponent, on_delete=models.CASCADE, related_name="keys")
    key = models.CharField(max_length=KEY_LENGTH)
    version = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["key"], name="vulns_componentkey_key_idx")]

    def __str__(self) -> str:
        return self.key


class Advisory(models.Model):
    """One advisory record of an organisation's mirror: the engine's normalised value, as JSON."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="advisories")
    origin = models.CharField(max_length=300, help_text="Source, and the document holding it (CSAF)")
    advisory_id = models.CharField(max_length=200)
    aliases = models.JSONField(default=list)
    source = models.CharField(max_length=50)
    modified = models.CharField(max_length=64, blank=True)
    withdrawn = models.CharField(max_length=64, blank=True)
    content_sha256 = models.CharField(max_length=64, help_text="SHA-256 of `data`'s canonical JSON")
    data = models.JSONField(help_text="The engine's Advisory as a dictionary (dataclasses.asdict)")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["advisory_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "origin", "advisory_id"], name="vulns_advisory_origin_id_unique"
            )
        ]

    def __str__(self) -> str:
        return self.advisory_id


class AdvisoryKey(models.Model):
    """A package an advisory names, as a match key (the same spelling as `ComponentKey.key`)."""

    advisory = models.ForeignKey(Advisory, on_delete=models.CASCADE, related_name="keys")
    key = models.CharField(max_length=KEY_LENGTH)

    class Meta:
        indexes = [models.Index(fields=["key"], name="vulns_advisorykey_key_idx")]

    def __str__(self) -> str:
        return self.key


class Stage(models.TextChoices):
    """Where a finding stands in ISO/SAE 21434 clause 8: a cybersecurity event (8.3) is evaluated as
    relevant or not (8.4); a relevant one is a weakness (8.5) that vulnerability analysis (8.6) confirms or
    not; the decision (8.7) is remediate, mitigate or accept, with a rationale."""

    EVENT = "event", "Cybersecurity event"
    NOT_RELEVANT = "not_relevant", "Evaluated: not relevant"
    WEAKNESS = "weakness", "Evaluated: relevant (weakness)"
    ANALYSED = "analysed", "Vulnerability analysed"
    DECIDED = "decided", "Decided"


class Decision(models.TextChoices):
    """Vulnerability management (ISO/SAE 21434 8.7 and 15.9): how the vulnerability is treated."""

    NONE = "", "None yet"
    REMEDIATE = "remediate", "Remediate"
    MITIGATE = "mitigate", "Mitigate"
    ACCEPT = "accept", "Accept"


def accepted_expired(until: dt.date | None, today: dt.date | None = None) -> bool:
    """Whether an acceptance valid through `until` has expired on `today` (the local date by default)."""
    return until is not None and until < (today or timezone.localdate())


JUSTIFICATIONS = (  # why a product is not affected (CISA's VEX minimum requirements; CycloneDX, OpenVEX)
    "component_not_present",
    "vulnerable_code_not_present",
    "vulnerable_code_not_in_execute_path",
    "vulnerable_code_cannot_be_controlled_by_adversary",
    "inline_mitigations_already_exist",
)


class VexStatus(models.TextChoices):
    NOT_AFFECTED = "not_affected", "Not affected"
    AFFECTED = "affected", "Affected"
    FIXED = "fixed", "Fixed"
    UNDER_INVESTIGATION = "under_investigation", "Under investigation"


class Finding(models.Model):
    """A vulnerability affecting one component of one release, merged over aliases, and its triage."""

    audit_fields: ClassVar[tuple[str, ...]] = (
        "stage",
        "vex_status",
        "justification",
        "decision",
        "rationale",
        "owner",
        "due_date",
        "accepted_until",
        "due_from",
    )

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="findings")
    component = models.ForeignKey(ReleaseComponent, on_delete=models.CASCADE, related_name="findings")
    vulnerability_id = models.CharField(max_length=200, help_text="The CVE id when there is one")
    aliases = models.JSONField(default=list)
    summary = models.TextField(blank=True)
    severity = models.CharField(max_length=16, default="UNKNOWN")
    score = models.FloatField(null=True, blank=True)
    severity_from = models.CharField(
        max_length=200,
        blank=True,
        help_text="The alias whose CVSS gave the score, when no matched record had one",
    )
    vectors = models.JSONField(default=list)
    evidence = models.JSONField(default=list, help_text="Why it matched: one entry per advisory")
    remediations = models.JSONField(default=list)
    kev = models.BooleanField(default=False, help_text="In CISA's Known Exploited Vulnerabilities")
    epss = models.FloatField(null=True, blank=True)
    # Triage (ISO/SAE 21434 clause 8) and its VEX statement.
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.EVENT)
    vex_status = models.CharField(
        max_length=24, choices=VexStatus.choices, default=VexStatus.UNDER_INVESTIGATION
    )
    justification = models.CharField(max_length=64, blank=True)
    decision = models.CharField(max_length=16, choices=Decision.choices, blank=True, default="")
    rationale = models.TextField(blank=True)
    owner = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    due_date = models.DateField(null=True, blank=True)
    due_from = models.CharField(max_length=8, choices=DueFrom.choices, default=DueFrom.SLA)
    accepted_until = models.DateField(
        null=True, blank=True, help_text="The last day an accepted risk stands; the finding reopens after it"
    )
    version = models.PositiveIntegerField(
        default=1, help_text="Raised on every triage change (core.versions); feed data does not raise it"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["release", "-score", "vulnerability_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["release", "component", "vulnerability_id"], name="vulns_finding_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(stage__in=Stage.values), name="vulns_finding_stage_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(vex_status__in=VexStatus.values), name="vulns_finding_vex_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["release", "severity"], name="vulns_finding_severity_idx"),
            models.Index(fields=["release", "vex_status"], name="vulns_finding_status_idx"),
            models.Index(fields=["decision", "accepted_until"], name="vulns_finding_accepted_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.vulnerability_id} in {self.component_id}"

    @property
    def scope(self) -> str:
        return f"project:{self.release.project_id}"

    @property
    def etag(self) -> str:
        """The version of the triage as the pages and the API carry it (core.versions)."""
        return str(self.version)

    @property
    def acceptance_expired(self) -> bool:
        """An accepted risk whose last day has passed, before the scheduler reopens it (read-time truth)."""
        return self.decision == Decision.ACCEPT and accepted_expired(self.accepted_until)


class SourceKind(models.TextChoices):
    OSV_PATH = "osv_path", "Advisory files: a folder or zip path on the server"
    OSV_URL = "osv_url", "OSV archive URL (all.zip)"
    CSAF_ROLIE = "csaf_rolie", "CSAF ROLIE feed URL"
    NVD = "nvd", "NVD CVE API 2.0 base URL"
    KEV_JSON = "kev_json", "CISA KEV JSON feed URL"
    EPSS_CSV = "epss_csv", "FIRST EPSS CSV URL (gzip or plain)"


class SyncStatus(models.TextChoices):
    NEVER = "", "Never synced"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class AdvisorySource(models.Model):
    """Where an organisation's advisories (or its KEV and EPSS copies) come from; a sync reads what is new,
    when a person asks or on the source's schedule (`every`; services/schedules.py)."""

    audit_fields: ClassVar[tuple[str, ...]] = ("organisation", "name", "kind", "location", "ecosystems")
    audit_fields += ("every", "next_run_at")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="advisory_sources")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=SourceKind.choices)
    location = models.CharField(max_length=1000, help_text="A path (osv_path) or a URL")
    last_synced_at = models.DateTimeField(null=True, blank=True)
    last_result = models.JSONField(default=dict)
    task_id = models.CharField(max_length=64, blank=True, help_text="The last queued sync task")
    sync_status = models.CharField(max_length=16, choices=SyncStatus.choices, blank=True, default="")
    sync_error = models.TextField(blank=True, help_text="Why the last sync failed")
    sync_heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="Refreshed by the worker while it syncs (core.leases)"
    )
    ecosystems = models.JSONField(
        default=list, blank=True, help_text="osv_url: the OSV ecosystems read under the base URL"
    )
    cursor = models.JSONField(default=dict, blank=True, help_text="Where the next incremental sync starts")
    every = models.PositiveIntegerField(
        null=True, blank=True, help_text="Seconds between scheduled syncs (empty: no schedule)"
    )
    next_run_at = models.DateTimeField(null=True, blank=True, help_text="When the scheduler syncs it next")
    last_success_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0, help_text="Syncs failed in a row since the last one")

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["next_run_at"], name="vulns_source_next_run_idx")]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="vulns_source_name_unique"),
            models.CheckConstraint(
                condition=models.Q(every__isnull=True) | models.Q(every__gte=300),
                name="vulns_source_every_minimum",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=SourceKind.values), name="vulns_source_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def scope(self) -> str:
        return f"organisation:{self.organisation_id}"
