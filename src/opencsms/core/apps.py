"""Django app configuration of `opencsms.core`."""

from __future__ import annotations

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.core import checks
from django.http import HttpRequest

from opencsms.core.audit_key import check_audit_key
from opencsms.core.navigation import Link, register


def _superuser(request: HttpRequest) -> bool:
    return bool(request.user.is_superuser)


class CoreConfig(AppConfig):
    name = "opencsms.core"
    label = "core"
    verbose_name = "OpenCSMS core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        register(
            Link("audit", "Audit", "core:audit"),
            Link("account", "Account", "core:account"),
            Link("users", "Users", "core:users", visible=_superuser),
        )
        checks.register(check_audit_key)
        from opencsms.core import schedule  # noqa: PLC0415 - needs the models, loaded by now
        from opencsms.core.checkpoints import deliver_due  # noqa: PLC0415

        schedule.register("audit_checkpoints", deliver_due)


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin on our superusers-only site (INSTALLED_APPS names this instead of the admin)."""

    default = False  # CoreConfig stays this module's default app configuration
    default_site = "opencsms.core.admin_site.SuperuserAdminSite"
