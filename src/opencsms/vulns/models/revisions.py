"""The SBOM revisions of a release (ISO/SAE 21434 8.3: the release's components as they were at each
upload). Revision 1 is the SBOM the release was created from; each replacement adds the next, with what
it changed (`summary`: components added, removed, changed and kept; findings carried, closed and new)."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone

from opencsms.core.models import User

SUMMARY_ORDER = (
    ("components", ("kept", "added", "removed", "changed")),
    ("findings", ("carried", "closed", "new")),
)


class SbomRevision(models.Model):
    """One SBOM a release had: the file as uploaded, who uploaded it, when, and what it changed."""

    audit_fields: ClassVar[tuple[str, ...]] = ("release", "number", "sha256", "format", "filename")

    release = models.ForeignKey("vulns.Release", on_delete=models.CASCADE, related_name="sbom_revisions")
    number = models.PositiveIntegerField()
    sbom = models.BinaryField(help_text="The SBOM as uploaded")
    filename = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64)
    format = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    summary = models.JSONField(
        default=dict, blank=True, help_text="What the revision changed (counts of components and findings)"
    )

    class Meta:
        ordering = ["release", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["release", "number"], name="vulns_sbomrevision_number_unique")
        ]

    def __str__(self) -> str:
        return f"SBOM revision {self.number}"

    @property
    def described(self) -> str:
        """The summary in words, in a fixed order (PostgreSQL's jsonb keeps no key order): "components:
        40 kept, 2 added, 1 removed, 1 changed; findings: 30 carried, 1 closed, 2 new"."""
        parts = []
        for noun, order in SUMMARY_ORDER:
            counts = self.summary.get(noun) or {}
            shown = [f"{counts[what]} {what}" for what in order if what in counts]
            if shown:
                parts.append(f"{noun}: " + ", ".join(shown))
        return "; ".join(parts)

    @property
    def scope(self) -> str:
        return f"project:{self.release.project_id}"
