"""Reads of the core app: scoped, prefetched querysets and single lookups."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet

from opencsms.core import renames
from opencsms.core.models import ApiToken, ChangeRecord, TotpDevice, User

AUDIT_PAGE_SIZE = 50
SYSTEM_USERNAME = "opencsms-system"  # the actor of changes no person makes (services.system_user)


def api_tokens(user: User) -> QuerySet[ApiToken]:
    """The tokens the user may see: their own; an administrator sees everyone's."""
    tokens = ApiToken.objects.select_related("user").order_by("-created", "-id")
    return tokens if user.is_superuser else tokens.filter(user=user)


def own_api_tokens(user: User) -> QuerySet[ApiToken]:
    """The user's own tokens, newest first (the account page: an administrator's too are only theirs)."""
    return ApiToken.objects.filter(user=user).order_by("-created", "-id")


def api_token_by_sha256(token_sha256: str) -> ApiToken | None:
    """The token with this digest, with its user, or None."""
    return ApiToken.objects.select_related("user").filter(token_sha256=token_sha256).first()


def change_records() -> QuerySet[ChangeRecord]:
    """The whole audit trail in chain order."""
    return ChangeRecord.objects.order_by("seq")


def recent_changes(
    visible: Q, *, before_seq: int | None = None, limit: int = AUDIT_PAGE_SIZE
) -> list[ChangeRecord]:
    """The latest records (newest first) that `visible` lets the reader see, older than `before_seq`.

    `visible` is a filter on `ChangeRecord.scope` made by the app that knows the reader's permissions
    (`organisation.selectors.audit_visibility`); core knows no domain app.
    """
    records = ChangeRecord.objects.filter(visible)
    if before_seq is not None:
        records = records.filter(seq__lt=before_seq)
    return list(records.order_by("-seq")[:limit])


def object_history(
    visible: Q, *, object_type: str, object_id: str, scope: str = "", action: str = ""
) -> list[ChangeRecord]:
    """The records of one object (and, with `scope`, everything recorded at that level), newest first,
    restricted to what `visible` lets the reader see; with `action`, only the records of that action.
    Records made before the object's app was renamed are included (`renames.object_types`).
    """
    about = Q(object_type__in=renames.object_types(object_type), object_id=object_id)
    if scope:
        about |= Q(scope=scope)
    if action:
        about &= Q(action=action)
    return list(ChangeRecord.objects.filter(about).filter(visible).order_by("-seq")[:200])


def active_users() -> QuerySet[User]:
    """The users who can be given a role (active ones; the system user is inactive)."""
    return User.objects.filter(is_active=True).order_by("username")


def user_rows(actor: User) -> QuerySet[User]:
    """The user administration's rows: `managed_users` with `has_second_factor` (one query)."""
    device = TotpDevice.objects.filter(user_id=OuterRef("pk"), confirmed__isnull=False)
    return managed_users(actor).annotate(has_second_factor=Exists(device))


def managed_users(actor: User) -> QuerySet[User]:
    """Every person's account for the user administration (superusers only); not the system user."""
    if not actor.is_superuser:
        raise PermissionDenied("only superusers manage users")
    return User.objects.exclude(username=SYSTEM_USERNAME).order_by("username")
