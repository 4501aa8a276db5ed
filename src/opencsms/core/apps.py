"""Django app configuration of `opencsms.core`."""

from __future__ import annotations

from django.apps import AppConfig
from django.core import checks

from opencsms.core.audit_key import check_audit_key
from opencsms.core.navigation import Link, register


class CoreConfig(AppConfig):
    name = "opencsms.core"
    label = "core"
    verbose_name = "OpenCSMS core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        register(Link("audit", "Audit", "core:audit"))
        checks.register(check_audit_key)
