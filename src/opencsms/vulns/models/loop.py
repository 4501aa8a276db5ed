"""The loop from findings into the TARA (ISO/SAE 21434 8.6 -> 15.7, 15.8; clause 15 risk assessment).

- `LoopRule`: an organisation's rule for new findings on a component that attack paths go through: `off`
  (a person links steps by hand), `propose` (a proposal per step for a person to confirm or reject) or
  `automatic` (the step is re-rated at once, by the system user). No row means `off`.
- `StepLink`: one finding on one attack step of a TARA's threat scenario: proposed, applied, rejected or
  reversed, with the step's rating from before any finding rated it (`previous_cvss`), so a reversal puts
  it back. No workflows here: see services/tara_loop.py.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from opencsms.core.models import User
from opencsms.organisation.models import Organisation
from opencsms.tara.models import Tara


class LoopMode(models.TextChoices):
    OFF = "off", "Off: a person re-rates attack steps by hand"
    PROPOSE = "propose", "Propose: a person confirms or rejects each re-rating"
    AUTOMATIC = "automatic", "Automatic: attack steps are re-rated at once"


class LoopRule(models.Model):
    """How an organisation's new findings reach the attack steps of its TARAs."""

    audit_fields: ClassVar[tuple[str, ...]] = ("organisation", "mode")

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="tara_loop_rule")
    mode = models.CharField(max_length=16, choices=LoopMode.choices, default=LoopMode.OFF)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(mode__in=LoopMode.values), name="vulns_looprule_mode_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.mode}"

    @property
    def scope(self) -> str:
        return f"organisation:{self.organisation_id}"


class LinkStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    APPLIED = "applied", "Applied"
    REJECTED = "rejected", "Rejected"
    REVERSED = "reversed", "Reversed"


class StepLink(models.Model):
    """A finding rating one attack step (`address` in path `path_ref` of threat scenario `threat_ref`)."""

    audit_fields: ClassVar[tuple[str, ...]] = (
        "finding",
        "tara",
        "threat_ref",
        "path_ref",
        "address",
        "cvss",
        "previous_cvss",
        "status",
        "automatic",
        "risk_before",
        "risk_after",
        "note",
    )

    finding = models.ForeignKey("vulns.Finding", on_delete=models.CASCADE, related_name="step_links")
    tara = models.ForeignKey(Tara, on_delete=models.CASCADE, related_name="+")
    threat_ref = models.CharField(max_length=100)
    path_ref = models.CharField(max_length=100)
    address = models.CharField(max_length=100, blank=True, help_text='The step in the tree ("" the root)')
    cvss = models.CharField(max_length=100, help_text="The finding's CVSS v3 AV/AC/PR/UI the step takes")
    previous_cvss = models.CharField(
        max_length=100, blank=True, help_text="The step's CVSS before any finding rated it (empty: none)"
    )
    status = models.CharField(max_length=16, choices=LinkStatus.choices, default=LinkStatus.PROPOSED)
    automatic = models.BooleanField(default=False, help_text="Made by the organisation's rule, not a person")
    risk_before = models.PositiveSmallIntegerField(null=True, blank=True)
    risk_after = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True, help_text="Why it stands as it does")
    decided_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["tara", "threat_ref", "path_ref", "address", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["finding", "tara", "threat_ref", "path_ref", "address"], name="vulns_steplink_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=LinkStatus.values), name="vulns_steplink_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["tara", "threat_ref", "status"], name="vulns_steplink_step_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.threat_ref}/{self.path_ref}/{self.address or 'root'}: {self.status}"

    @property
    def scope(self) -> str:
        return f"project:{self.tara.project_id}"

    @property
    def step(self) -> str:
        return f"{self.threat_ref} / {self.path_ref} / {self.address or 'root'}"
