"""A message to one person (notifications.py in services delivers it by mail and webhook)."""

from __future__ import annotations

from django.db import models

from opencsms.core.models import User
from opencsms.organisation.models import Project
from opencsms.tara.models import Tara


class Notification(models.Model):
    """A message to one person about a finding, a release or a TARA (new findings, a TARA risk above
    acceptance, a TARA submitted for review, returned or approved).

    `read_at` and `delivery` are bookkeeping, not audited (ARCHITECTURE.md): the audited change is the one
    that caused the notification."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    finding = models.ForeignKey(
        "vulns.Finding", on_delete=models.CASCADE, null=True, related_name="notifications"
    )
    release = models.ForeignKey("vulns.Release", on_delete=models.CASCADE, null=True, related_name="+")
    tara = models.ForeignKey(Tara, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    message = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    delivery = models.JSONField(default=dict, blank=True, help_text="Per channel: sent, skipped or the error")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="vulns_notification_unread_idx")]

    def __str__(self) -> str:
        return self.message[:80]
