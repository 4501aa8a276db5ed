"""Django app configuration of `opencsms.vulns`."""

from __future__ import annotations

from django.apps import AppConfig


class VulnsConfig(AppConfig):
    name = "opencsms.vulns"
    label = "vulns"
    verbose_name = "OpenCSMS vulnerability monitoring"
    default_auto_field = "django.db.models.BigAutoField"
