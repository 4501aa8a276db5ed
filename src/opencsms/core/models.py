"""Users, API tokens and the append-only, hash-chained audit trail. No workflows here: see services.py."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

GENESIS_HASH = "0" * 64

MAX_ID = 2**63 - 1  # the largest id (and any 64-bit integer) the database stores


class User(AbstractUser):
    """The project's user model from the first migration (a custom user cannot be added later)."""

    audit_fields: ClassVar[tuple[str, ...]] = (
        "username",
        "email",
        "first_name",
        "last_name",
        "is_active",
        "is_staff",
        "is_superuser",
    )

    def __str__(self) -> str:
        return self.username


class ApiToken(models.Model):
    """A bearer token for automation. Only its SHA-256 is stored; the token is shown once, when created."""

    audit_fields: ClassVar[tuple[str, ...]] = ("name", "user")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    token_sha256 = models.CharField(max_length=64)
    created = models.DateTimeField(default=timezone.now)
    last_used = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token_sha256"], name="core_apitoken_sha256_unique"),
            models.UniqueConstraint(fields=["user", "name"], name="core_apitoken_user_name_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.user_id})"


class ChangeRecord(models.Model):
    """One audited change, append-only: `hash` is the HMAC-SHA256 of all other fields, `prev_hash` the link.

    Written only by `core.audit.record()`; checked by `core.audit.verify_chain()` (`opencsms audit verify`).
    """

    seq = models.PositiveBigIntegerField()
    time = models.DateTimeField()
    actor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    actor_name = models.CharField(max_length=150)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    scope = models.CharField(max_length=100, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)
    correlation_id = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        constraints = [models.UniqueConstraint(fields=["seq"], name="core_changerecord_seq_unique")]
        indexes = [models.Index(fields=["object_type", "object_id"], name="core_changerecord_object_idx")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id} by {self.actor_name}"

    @property
    def changes(self) -> list[tuple[str, Any, Any]]:
        """(field, before, after) for every field that differs between `before` and `after`, sorted."""
        before, after = self.before or {}, self.after or {}
        fields = sorted(set(before) | set(after))
        return [
            (name, before.get(name), after.get(name))
            for name in fields
            if before.get(name) != after.get(name)
        ]


class AuditChainHead(models.Model):
    """The one row that every audit writer locks: the last sequence number and hash of the chain.

    Locking it (SELECT ... FOR UPDATE) serialises concurrent writers on PostgreSQL; on SQLite the
    BEGIN IMMEDIATE transaction already does. It also lets `verify_chain` notice records cut off the end.
    """

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)
    signature = models.CharField(max_length=64, blank=True, default="", help_text="HMAC of seq and hash")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="core_auditchainhead_single_row")
        ]

    def __str__(self) -> str:
        return f"audit chain head #{self.seq}"


class LoginFailure(models.Model):
    """One failed password sign-in: the security log of attempts without an actor, and the throttle's memory.

    Not part of the hash-chained audit trail: an anonymous client could otherwise flood the chain and make
    every audited write wait on its lock. A lockout is audited (`core.services.log_in`).
    """

    time = models.DateTimeField(default=timezone.now)
    username = models.CharField(max_length=150)
    ip = models.GenericIPAddressField(null=True, blank=True)
    correlation_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-time", "-id"]
        indexes = [
            models.Index(fields=["username", "time"], name="core_loginfailure_user_idx"),
            models.Index(fields=["ip", "time"], name="core_loginfailure_ip_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M:%S} {self.username} from {self.ip or '?'}"


class TotpDevice(models.Model):
    """A person's authenticator app: the second sign-in factor (TOTP, RFC 6238; `core.totp`).

    `secret` is shown to its owner only while the enrolment waits for its first code (`confirmed` empty),
    never after. `last_step` is the time step of the last code accepted: a code of that step or an earlier
    one is refused, so a code works once. `recovery_codes` holds the SHA-256 of each unused recovery code.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp_device")
    secret = models.CharField(max_length=64)
    created = models.DateTimeField(default=timezone.now)
    confirmed = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(default=0)
    recovery_codes = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        state = "active" if self.confirmed else "enrolling"
        return f"authenticator of {self.user_id} ({state})"


class ScheduledRun(models.Model):
    """When a periodic job of the whole installation (`core.schedule.claim`) is next due: one row per job.

    Bookkeeping of the scheduler, not a change anybody makes, so not audited: what the job does is.
    """

    key = models.CharField(max_length=100, unique=True)
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.key} next at {self.next_run_at:%Y-%m-%d %H:%M:%S}"


class CheckpointDelivery(models.Model):
    """One target of the audit checkpoints (a folder, `mailto:` an address, an http(s) webhook) and how its
    deliveries went (`core.checkpoints.delivery`).

    `due_at` is when the next one is due (a failed delivery leaves it, so the next tick tries again);
    `claimed_until` marks a delivery queued by one scheduler, so a second one ticking at the same time does
    not queue it too. Bookkeeping, not audited: each delivery made is an audit record.
    """

    target = models.CharField(max_length=1000, unique=True)
    due_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    delivered_seq = models.PositiveBigIntegerField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0, help_text="failed attempts since the last delivery")
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"checkpoints to {self.target}"
