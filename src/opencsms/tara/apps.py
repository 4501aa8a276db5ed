"""Django app configuration of `opencsms.tara`."""

from __future__ import annotations

from django.apps import AppConfig

from opencsms.core.navigation import Link, register


class TaraConfig(AppConfig):
    name = "opencsms.tara"
    label = "tara"
    verbose_name = "OpenCSMS TARA workspace"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        register(Link("dashboard", "Dashboard", "dashboard"))  # config.urls wires the dashboard, a TARA view
