"""Remediation service levels (SLAs) of an organisation and the escalations of overdue findings.

- `SlaPolicy`: the days to remediate a finding by severity, for KEV-listed ones, and the days overdue
  before escalation; an organisation without one uses the shipped defaults
  (`engine.catalogue.sla`, data/catalogues/sla-defaults.yaml). `version` guards its edits.
- `Escalation`: an overdue finding escalated to its owner and the project's managers and administrators,
  once per due date (a new due date may be escalated again).
- `DueFrom`: who set a finding's due date: the SLA (recomputed when its severity, KEV flag or the policy
  changes) or a person (kept).
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from opencsms.core.models import User
from opencsms.engine.catalogue.sla import MAX_DAYS, SlaTerms
from opencsms.organisation.models import Organisation

TERMS = ("critical", "high", "medium", "low", "unknown", "kev", "escalation")


class DueFrom(models.TextChoices):
    SLA = "sla", "The organisation's SLA"
    PERSON = "person", "Set by a person"


def _days(help_text: str) -> models.PositiveIntegerField[int, int]:
    return models.PositiveIntegerField(help_text=help_text)


class SlaPolicy(models.Model):
    """An organisation's remediation service levels (days), set by its administrators."""

    audit_fields: ClassVar[tuple[str, ...]] = TERMS

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="sla_policy")
    critical = _days("Days to remediate a critical finding")
    high = _days("Days to remediate a high finding")
    medium = _days("Days to remediate a medium finding")
    low = _days("Days to remediate a low finding (and a CVSS 'none')")
    unknown = _days("Days to remediate a finding without a score")
    kev = _days("At most this many days for a finding in CISA KEV")
    escalation = _days("Days overdue before the finding is escalated")
    version = models.PositiveIntegerField(default=1, help_text="Raised on every change (core.versions)")
    updated_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    critical__gte=1, high__gte=1, medium__gte=1, low__gte=1, unknown__gte=1, kev__gte=1
                )
                & models.Q(
                    critical__lte=MAX_DAYS,
                    high__lte=MAX_DAYS,
                    medium__lte=MAX_DAYS,
                    low__lte=MAX_DAYS,
                    unknown__lte=MAX_DAYS,
                    kev__lte=MAX_DAYS,
                    escalation__lte=MAX_DAYS,
                ),
                name="vulns_slapolicy_days_valid",
            )
        ]

    def __str__(self) -> str:
        return f"SLA of organisation {self.organisation_id}"

    @property
    def scope(self) -> str:
        return f"organisation:{self.organisation_id}"

    @property
    def etag(self) -> str:
        return str(self.version)

    def terms(self) -> SlaTerms:
        return SlaTerms(**{name: getattr(self, name) for name in TERMS})


class Escalation(models.Model):
    """An overdue finding escalated: who was told, for which due date."""

    finding = models.ForeignKey("vulns.Finding", on_delete=models.CASCADE, related_name="escalations")
    due_date = models.DateField(help_text="The due date that was missed")
    days_overdue = models.PositiveIntegerField()
    notified = models.JSONField(default=list, help_text="The user ids told")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["finding", "due_date"], name="vulns_escalation_once_per_due_date")
        ]

    def __str__(self) -> str:
        return f"escalation of finding {self.finding_id} (due {self.due_date})"
