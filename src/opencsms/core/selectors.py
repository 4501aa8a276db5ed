"""Reads of the core app: scoped, prefetched querysets and single lookups."""

from __future__ import annotations

from django.db.models import QuerySet

from opencsms.core.models import ApiToken, ChangeRecord, User


def api_tokens(user: User) -> QuerySet[ApiToken]:
    """The tokens the user may see: their own; an administrator sees everyone's."""
    tokens = ApiToken.objects.select_related("user").order_by("-created", "-id")
    return tokens if user.is_superuser else tokens.filter(user=user)


def api_token_by_sha256(token_sha256: str) -> ApiToken | None:
    """The token with this digest, with its user, or None."""
    return ApiToken.objects.select_related("user").filter(token_sha256=token_sha256).first()


def change_records() -> QuerySet[ChangeRecord]:
    """The whole audit trail in chain order."""
    return ChangeRecord.objects.order_by("seq")
