"""Django app configuration of `opencsms.core`."""

from __future__ import annotations

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps

from opencsms.core.navigation import Link, register


class CoreConfig(AppConfig):
    name = "opencsms.core"
    label = "core"
    verbose_name = "OpenCSMS core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        register(Link("audit", "Audit", "core:audit"))


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin on our superusers-only site (INSTALLED_APPS names this instead of the admin)."""

    default = False  # CoreConfig stays this module's default app configuration
    default_site = "opencsms.core.admin_site.SuperuserAdminSite"
