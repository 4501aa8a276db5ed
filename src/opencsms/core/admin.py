"""The admin is for superusers and support: it shows, it never writes (writes go through audited services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from opencsms.core.models import ApiToken, ChangeRecord, User


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """No add, change or delete: the admin would bypass the services and their audit records."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ChangeRecord)
class ChangeRecordAdmin(ReadOnlyAdmin):
    list_display = ("seq", "time", "actor_name", "action", "object_type", "object_id", "object_repr", "scope")
    list_filter = ("action", "object_type")
    search_fields = ("object_repr", "actor_name", "correlation_id", "object_id")
    ordering = ("-seq",)


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = ("username", "email", "is_active", "is_staff", "is_superuser", "last_login")
    search_fields = ("username", "email")
    exclude = ("password",)


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ("name", "user", "created", "last_used")
    exclude = ("token_sha256",)
