"""A project's TARAs stored as their TARA-as-code document: a header and one row per element.

The document is the source of truth, in the engine's `tara/1` shape: `Tara.header` holds the parts that
are not lists (id, name, version, method, item) and each `Element` one entry of a list (a component, an
asset, a threat scenario with its attack trees, ...) as the file says it, in its place (`position`). The
engine rebuilds the model from these rows and evaluates it after every change; what it derives (risk,
feasibility, impact, CAL) is written back onto the rows so that lists filter and sort in the database.

A `Baseline` is a named frozen copy of the document (its YAML); approving a TARA makes one.
No workflows here: see services/.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from opencsms.core import versions
from opencsms.core.models import User
from opencsms.organisation.models import Organisation, Project


class State(models.TextChoices):
    """The review state of a TARA's current revision (ISO/SAE 21434 clause 6.4.7, 6.4.8)."""

    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"


class Kind(models.TextChoices):
    """The lists of a TARA document, in the order the file has them (the value is the document key)."""

    COMPONENT = "components", "Components"
    INTERFACE = "interfaces", "Interfaces"
    DATA_FLOW = "data_flows", "Data flows"
    ASSET = "assets", "Assets"
    DAMAGE_SCENARIO = "damage_scenarios", "Damage scenarios"
    THREAT_SCENARIO = "threat_scenarios", "Threat scenarios"
    GOAL = "goals", "Cybersecurity goals"
    CLAIM = "claims", "Cybersecurity claims"
    CONTROL = "controls", "Controls"
    REQUIREMENT = "requirements", "Requirements"
    NOT_APPLICABLE = "annex5_not_applicable", "Annex 5 not applicable"

    @property
    def singular(self) -> str:
        """One element of the list, for "New asset" and the like."""
        return SINGULAR[self.value]


SINGULAR = {
    "components": "component",
    "interfaces": "interface",
    "data_flows": "data flow",
    "assets": "asset",
    "damage_scenarios": "damage scenario",
    "threat_scenarios": "threat scenario",
    "goals": "cybersecurity goal",
    "claims": "cybersecurity claim",
    "controls": "control",
    "requirements": "requirement",
    "annex5_not_applicable": "not-applicable Annex 5 entry",
}


class Tara(models.Model):
    """One TARA of a project: the header of its document, its review state and what evaluation found."""

    audit_fields: ClassVar[tuple[str, ...]] = (
        "project",
        "ref",
        "name",
        "state",
        "revision",
        "content_sha256",
    )

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="taras")
    ref = models.CharField(max_length=100, help_text="The TARA's id in its document")
    name = models.CharField(max_length=200)
    header = models.JSONField(
        help_text="The document without its lists: opencsms, id, name, version, method, item"
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.DRAFT)
    revision = models.PositiveIntegerField(default=1)
    content_sha256 = models.CharField(max_length=64, help_text="SHA-256 of the document's canonical JSON")
    summary = models.JSONField(
        default=dict, help_text="Counts and risk distribution, from the last evaluation"
    )
    findings = models.JSONField(
        default=list, help_text="The method rules' findings, from the last evaluation"
    )
    findings_head = models.JSONField(default=list, help_text="The first findings (errors first), for pages")
    submitted_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True, help_text="The submitter's note for the reviewer")
    returned_to = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    returned_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    returned_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField(blank=True, help_text="What the reviewer asked to change, last return")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "ref"], name="tara_tara_project_ref_unique"),
            models.CheckConstraint(condition=models.Q(state__in=State.values), name="tara_tara_state_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.name} r{self.revision}"

    @property
    def scope(self) -> str:
        return f"project:{self.project_id}"

    @property
    def etag(self) -> str:
        """The version of the header (what `update_header` changes): a digest of it (core.versions)."""
        return versions.digest(self.header)


class Element(models.Model):
    """One entry of one list of a TARA document, as the file says it, plus what the engine derived."""

    audit_fields: ClassVar[tuple[str, ...]] = ("tara", "kind", "ref", "data")

    tara = models.ForeignKey(Tara, on_delete=models.CASCADE, related_name="elements")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    ref = models.CharField(max_length=100, help_text="The element's id in the document")
    position = models.PositiveIntegerField(help_text="Its place in its list")
    data = models.JSONField(help_text="The entry in the TARA-as-code shape")
    label = models.CharField(max_length=300, help_text="Its name (or text), for lists and search")
    # Derived by the engine on every change of the TARA (None/"" where it does not apply).
    risk = models.PositiveSmallIntegerField(null=True, blank=True)
    residual_risk = models.PositiveSmallIntegerField(null=True, blank=True)
    feasibility = models.CharField(max_length=32, blank=True)
    impact = models.CharField(max_length=32, blank=True)
    cal = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(max_length=32, blank=True, help_text="Threat status or treatment decision")

    class Meta:
        ordering = ["kind", "position"]
        constraints = [
            models.UniqueConstraint(fields=["tara", "kind", "ref"], name="tara_element_ref_unique"),
            models.CheckConstraint(condition=models.Q(kind__in=Kind.values), name="tara_element_kind_valid"),
        ]
        indexes = [
            models.Index(fields=["tara", "kind", "position"], name="tara_element_position_idx"),
            models.Index(fields=["tara", "kind", "risk"], name="tara_element_risk_idx"),
            models.Index(fields=["tara", "kind", "label"], name="tara_element_label_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.label}"[:200]

    @property
    def scope(self) -> str:
        return f"project:{self.tara.project_id}"

    @property
    def etag(self) -> str:
        """The version of the entry: a digest of its data (core.versions), so it changes exactly with it."""
        return versions.digest(self.data)


class Baseline(models.Model):
    """A named frozen copy of a TARA's document; an approval makes one and records who approved it."""

    audit_fields: ClassVar[tuple[str, ...]] = (
        "tara",
        "name",
        "revision",
        "content_sha256",
        "approved_by",
        "approval_note",
        "open_items",
        "acknowledgement",
    )

    tara = models.ForeignKey(Tara, on_delete=models.CASCADE, related_name="baselines")
    name = models.CharField(max_length=100)
    revision = models.PositiveIntegerField()
    content = models.TextField(help_text="The document as TARA-as-code YAML")
    content_sha256 = models.CharField(max_length=64, help_text="SHA-256 of the document's canonical JSON")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    approval_note = models.TextField(blank=True)
    open_items = models.JSONField(
        default=dict, blank=True, help_text="What was open when it was approved: item -> count"
    )
    acknowledgement = models.TextField(
        blank=True, help_text="The approver's rationale for approving with open items"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["tara", "name"], name="tara_baseline_name_unique")]

    def __str__(self) -> str:
        return f"{self.name} (r{self.revision})"

    @property
    def scope(self) -> str:
        return f"project:{self.tara.project_id}"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ImportJob(models.Model):
    """A TARA file imported in the background (large files take longer than a web request may)."""

    audit_fields: ClassVar[tuple[str, ...]] = ("project", "filename", "replace", "status", "tara")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tara_imports")
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(max_length=255, blank=True)
    raw = models.BinaryField(help_text="The file until it is imported (emptied afterwards)")
    size = models.PositiveBigIntegerField()
    replace = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    error = models.TextField(blank=True)
    tara = models.ForeignKey(Tara, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="Refreshed by the worker while it runs the import (core.leases)"
    )
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Runs started, lost ones included")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"import of {self.filename or 'a file'} ({self.status})"

    @property
    def scope(self) -> str:
        return f"project:{self.project_id}"


class RuleFile(models.Model):
    """A threat rule file of an organisation's own, used beside the shipped rules when the organisation's
    TARAs generate threat scenarios (ISO/SAE 21434 15.6; the format of `data/threat-rules/`)."""

    audit_fields: ClassVar[tuple[str, ...]] = ("organisation", "urn", "name", "version", "sha256", "rules")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="threat_rule_files")
    urn = models.CharField(max_length=200, help_text="The file's `urn`, unique in the organisation")
    name = models.CharField(max_length=200)
    version = models.CharField(max_length=50)
    filename = models.CharField(max_length=255, blank=True)
    content = models.TextField(help_text="The rule file as uploaded (UTF-8 YAML)")
    sha256 = models.CharField(max_length=64)
    rules = models.PositiveIntegerField(help_text="How many rules it holds")
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["urn", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "urn"], name="tara_rulefile_urn_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.version}"

    @property
    def scope(self) -> str:
        return f"organisation:{self.organisation_id}"


class Comment(models.Model):
    """A remark on a TARA or on one of its elements (`kind` and `ref`; both blank: the TARA itself), for the
    review conversation (ISO/SAE 21434 6.4.7). Comments are added, never edited; each is audited."""

    audit_fields: ClassVar[tuple[str, ...]] = ("tara", "kind", "ref", "author", "text")

    tara = models.ForeignKey(Tara, on_delete=models.CASCADE, related_name="comments")
    kind = models.CharField(max_length=32, blank=True, help_text="The element's list; blank: the TARA")
    ref = models.CharField(max_length=100, blank=True, help_text="The element's id; blank: the TARA")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    revision = models.PositiveIntegerField(help_text="The TARA's revision when it was written")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["tara", "kind", "ref"], name="tara_comment_about_idx")]

    def __str__(self) -> str:
        about = f"{self.ref}" if self.ref else "the TARA"
        return f"comment on {about}"[:200]

    @property
    def scope(self) -> str:
        return f"project:{self.tara.project_id}"
