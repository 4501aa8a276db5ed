"""Django app configuration of `opencsms.incidents`."""

from __future__ import annotations

from django.apps import AppConfig

from opencsms.core.navigation import Link, register


class IncidentsConfig(AppConfig):
    name = "opencsms.incidents"
    label = "incidents"
    verbose_name = "OpenCSMS incident response"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        register(Link("incidents", "Incidents", "incidents:incident_list"))
