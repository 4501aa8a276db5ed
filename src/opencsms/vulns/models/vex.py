"""VEX documents imported as triage (ISO/SAE 21434 8.6): the file's hash, where it was imported (one release,
or every release of an organisation whose components it names) and what each statement did."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone

from opencsms.core.models import User
from opencsms.organisation.models import Organisation


class VexImport(models.Model):
    """One VEX document imported: `report` holds one entry per statement (its vulnerability, status,
    products, outcome and the findings it applied to or conflicted with)."""

    audit_fields: ClassVar[tuple[str, ...]] = ("organisation", "release", "filename", "sha256", "kind")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="vex_imports")
    release = models.ForeignKey(
        "vulns.Release", on_delete=models.CASCADE, null=True, blank=True, related_name="vex_imports"
    )
    filename = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64)
    kind = models.CharField(max_length=32, help_text="OpenVEX, CycloneDX, CSAF or SPDX 3")
    issued = models.CharField(max_length=64, blank=True, help_text="When the document says it was issued")
    imported_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(default=timezone.now)
    counts = models.JSONField(default=dict, help_text="Statements by outcome")
    report = models.JSONField(default=list, help_text="One entry per statement, in the document's order")

    class Meta:
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return f"VEX {self.filename or self.sha256[:12]}"

    @property
    def scope(self) -> str:
        if self.release is not None:
            return f"project:{self.release.project_id}"
        return f"organisation:{self.organisation_id}"

    @property
    def described(self) -> str:
        """The counts in words, in a fixed order (jsonb keeps none): "2 applied, 1 conflict, 1 no matching
        finding"."""
        order = ("applied", "unchanged", "conflict", "no_matching_finding")
        return ", ".join(f"{self.counts[o]} {o.replace('_', ' ')}" for o in order if self.counts.get(o))
