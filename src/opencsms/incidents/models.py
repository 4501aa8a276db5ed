"""Incident response (ISO/SAE 21434 clause 13; UNECE R155 7.2.2.2 (g), (h) and 7.4).

- `ResponsePlan`: an organisation's incident response plan, or a project's (which overrides it), with the
  contents RQ-13-01 asks for; a controlled record whose `revision` rises with every saved change (the audit
  trail keeps each revision's text).
- `Incident`: a cybersecurity incident of an organisation, optionally of one of its projects: severity,
  status, detection, the releases it affects and the findings and attack reports it links; closed only with
  the closure criteria of the plan in force confirmed and a closing note (the confirmed criteria and the
  plan's revision are kept on the row).
  Affected vehicle types: the vehicle-type app is planned above vulnerability monitoring and below this app
  (pyproject.toml, "Roots > apps"); when it lands, an `affected_vehicle_types` many-to-many field joins
  `affected_releases` here, with its own check in `services.incidents._links`.
- `TimelineEntry`, `RemedialAction`, `Communication`: what happened, what is done about it, who was told.
No workflows here: see services/.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from opencsms.core.models import User
from opencsms.organisation.models import Organisation, Project
from opencsms.vulns.models import Finding, Release

PLAN_FIELDS = (
    "remedial_actions",
    "communication_plan",
    "responsibilities",
    "recording_procedure",
    "progress_method",
    "closure_criteria",
    "closure_actions",
)
"""The contents of a plan, in RQ-13-01's order (ISO/SAE 21434 13.3)."""


class ResponsePlan(models.Model):
    """The incident response plan of an organisation (`project` empty) or of one of its projects."""

    audit_fields: ClassVar[tuple[str, ...]] = ("organisation", "project", "revision", *PLAN_FIELDS)

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="response_plans")
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, null=True, blank=True, related_name="response_plans"
    )
    remedial_actions = models.TextField(blank=True, help_text="Remedial actions (13.3 a)")
    communication_plan = models.TextField(blank=True, help_text="Communication plan (13.3 b)")
    responsibilities = models.TextField(
        blank=True, help_text="Responsibilities for the remedial actions: people and roles (13.3 c)"
    )
    recording_procedure = models.TextField(
        blank=True, help_text="Procedure for recording new cybersecurity information (13.3 d)"
    )
    progress_method = models.TextField(blank=True, help_text="Method for determining progress (13.3 e)")
    closure_criteria = models.TextField(
        blank=True, help_text="Criteria for closing an incident, one per line (13.3 f)"
    )
    closure_actions = models.TextField(blank=True, help_text="Actions on closure (13.3 g)")
    revision = models.PositiveIntegerField(default=1, help_text="Raised on every saved change")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation", "project", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=models.Q(project__isnull=True),
                name="incidents_plan_one_per_organisation",
            ),
            models.UniqueConstraint(
                fields=["project"],
                condition=models.Q(project__isnull=False),
                name="incidents_plan_one_per_project",
            ),
        ]

    def __str__(self) -> str:
        return f"Incident response plan of {self.project or self.organisation} (revision {self.revision})"

    @property
    def scope(self) -> str:
        return f"project:{self.project_id}" if self.project_id else f"organisation:{self.organisation_id}"

    @property
    def etag(self) -> str:
        """The version as the pages and the API carry it (core.versions): the revision."""
        return str(self.revision)

    @property
    def criteria(self) -> list[str]:
        """The closure criteria, one per non-empty line."""
        return [line.strip() for line in self.closure_criteria.splitlines() if line.strip()]


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class Status(models.TextChoices):
    OPEN = "open", "Open"
    INVESTIGATING = "investigating", "Investigating"
    CONTAINED = "contained", "Contained"
    REMEDIATED = "remediated", "Remediated"
    CLOSED = "closed", "Closed"


class Incident(models.Model):
    """A cybersecurity incident and its response."""

    audit_fields: ClassVar[tuple[str, ...]] = (
        "title",
        "organisation",
        "project",
        "severity",
        "status",
        "detected_at",
        "reported_by",
        "description",
        "attack_detected",
        "attack_reports",
        "contained_at",
        "closed_at",
        "closing_note",
        "closure_criteria",
        "plan_revision",
    )

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="incidents")
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, null=True, blank=True, related_name="incidents"
    )
    title = models.CharField(max_length=200)
    severity = models.CharField(max_length=16, choices=Severity.choices, default=Severity.MEDIUM)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    detected_at = models.DateTimeField()
    reported_by = models.CharField(max_length=200, help_text="Who or what reported it (a person, a SOC...)")
    description = models.TextField(blank=True)
    attack_detected = models.BooleanField(
        default=False, help_text="An attack, attempted or successful, was detected (R155 7.4 report)"
    )
    attack_reports = models.TextField(blank=True, help_text="Attack reports: text and references, one a line")
    affected_releases = models.ManyToManyField(Release, blank=True, related_name="incidents")
    findings = models.ManyToManyField(Finding, blank=True, related_name="incidents")
    contained_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closing_note = models.TextField(blank=True)
    closure_criteria = models.JSONField(
        default=list, blank=True, help_text="The criteria confirmed at closure"
    )
    plan_revision = models.PositiveIntegerField(null=True, blank=True, help_text="The plan's, at closure")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, help_text="Raised on every change (core.versions)")

    class Meta:
        ordering = ["-detected_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(severity__in=Severity.values), name="incidents_incident_severity_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values), name="incidents_incident_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["organisation", "detected_at"], name="incidents_incident_org_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def scope(self) -> str:
        return f"project:{self.project_id}" if self.project_id else f"organisation:{self.organisation_id}"

    @property
    def etag(self) -> str:
        return str(self.version)


class EntryKind(models.TextChoices):
    OBSERVATION = "observation", "Observation"
    DECISION = "decision", "Decision"
    COMMUNICATION = "communication", "Communication"
    ACTION = "action", "Action"
    STATUS_CHANGE = "status_change", "Status change"


class TimelineEntry(models.Model):
    """One entry of an incident's timeline (a status change writes one itself)."""

    audit_fields: ClassVar[tuple[str, ...]] = ("incident", "at", "kind", "text")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField()
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=EntryKind.choices)
    text = models.TextField()

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=EntryKind.values), name="incidents_entry_kind_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%Y-%m-%d %H:%M}"

    @property
    def scope(self) -> str:
        """Its incident's level (the audit scope)."""
        return self.incident.scope


class RemedialAction(models.Model):
    """An action taken against the incident: who owns it, by when, and whether it is done."""

    audit_fields: ClassVar[tuple[str, ...]] = ("incident", "title", "owner", "due", "done_at")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(max_length=300)
    owner = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    due = models.DateField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title

    @property
    def scope(self) -> str:
        """Its incident's level (the audit scope)."""
        return self.incident.scope


class Communication(models.Model):
    """Who was told what, when and how (the communication plan carried out)."""

    audit_fields: ClassVar[tuple[str, ...]] = ("incident", "recipient", "at", "channel", "summary")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="communications")
    recipient = models.CharField(max_length=200)
    at = models.DateTimeField()
    channel = models.CharField(max_length=100)
    summary = models.TextField()
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"to {self.recipient} at {self.at:%Y-%m-%d %H:%M}"

    @property
    def scope(self) -> str:
        """Its incident's level (the audit scope)."""
        return self.incident.scope
