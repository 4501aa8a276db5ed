"""Triage of a vulnerability once for an organisation, with per-release exceptions (issue 12, item 4).

- `VulnerabilityTriage`: the organisation's decision on one vulnerability (the CVE id, or the advisory id
  when there is none: the id its findings are filed under), the triage fields a finding has; saving it
  applies them to the findings of that vulnerability in the organisation's releases, and findings that
  appear later inherit them (services/vulnerability_triage.py).
- `TriageException`: one release that keeps its own triage of the vulnerability (its own values and
  rationale), which the organisation's decision does not change.
Both carry a `version` raised on each change (core.versions: a stale save is refused).
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone

from opencsms.core.models import User
from opencsms.organisation.models import Organisation

NOT_CARRIED_YET = "no finding carries it yet; findings that appear will take this decision"


class TriageValues(models.Model):
    """The triage fields of a finding (models.Finding), set once for many findings."""

    triage_fields: ClassVar[tuple[str, ...]] = (
        "stage", "vex_status", "justification", "decision", "rationale", "owner", "due_date",
        "accepted_until",
    )  # fmt: skip

    vulnerability_id = models.CharField(max_length=200, help_text="The CVE id when there is one")
    stage = models.CharField(max_length=16, default="event")
    vex_status = models.CharField(max_length=24, default="under_investigation")
    justification = models.CharField(max_length=64, blank=True)
    decision = models.CharField(max_length=16, blank=True, default="")
    rationale = models.TextField(blank=True)
    owner = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    due_date = models.DateField(null=True, blank=True)
    accepted_until = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, help_text="Raised on every change (core.versions)")
    updated_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    @property
    def etag(self) -> str:
        return str(self.version)

    def values(self) -> dict[str, object]:
        """The triage fields as a finding takes them (`triage.apply_triage`'s changes)."""
        return {name: getattr(self, name) for name in self.triage_fields}

    @property
    def expired(self) -> bool:
        return (
            self.decision == "accept"
            and self.accepted_until is not None
            and (self.accepted_until < timezone.localdate())
        )


class VulnerabilityTriage(TriageValues):
    """An organisation's triage of one vulnerability across its releases."""

    audit_fields: ClassVar[tuple[str, ...]] = ("vulnerability_id", *TriageValues.triage_fields)

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="vulnerability_triages"
    )
    # Not stored: set by the service that saves it, whether a finding of the organisation carries it.
    carried: bool | None = None

    class Meta:
        ordering = ["organisation", "vulnerability_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "vulnerability_id"], name="vulns_vulnerabilitytriage_unique"
            )
        ]

    def __str__(self) -> str:
        return self.vulnerability_id

    @property
    def scope(self) -> str:
        return f"organisation:{self.organisation_id}"

    @property
    def note(self) -> str:
        """What a person is told of a decision just saved that no finding carries yet ("" otherwise)."""
        return NOT_CARRIED_YET if self.carried is False else ""


class TriageException(TriageValues):
    """A release that keeps its own triage of a vulnerability, whatever the organisation decides."""

    audit_fields: ClassVar[tuple[str, ...]] = ("release", "vulnerability_id", *TriageValues.triage_fields)

    release = models.ForeignKey("vulns.Release", on_delete=models.CASCADE, related_name="triage_exceptions")

    class Meta:
        ordering = ["release", "vulnerability_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["release", "vulnerability_id"], name="vulns_triageexception_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.vulnerability_id} in release {self.release_id}"

    @property
    def scope(self) -> str:
        return f"project:{self.release.project_id}"


TriageRow = VulnerabilityTriage | TriageException  # either kind of stored triage, each with its audit scope
