"""Django app configuration of `opencsms.organisation`."""

from __future__ import annotations

from typing import ClassVar

from django.apps import AppConfig

from opencsms.core.navigation import Link, register


class OrganisationConfig(AppConfig):
    name = "opencsms.organisation"
    label = "organisation"
    verbose_name = "OpenCSMS organisation and projects"
    default_auto_field = "django.db.models.BigAutoField"
    # the label until December 2026: `migrate` carries older databases over (core.renames)
    renamed_from: ClassVar[str] = "products"

    def ready(self) -> None:
        register(Link("organisations", "Organisations", "organisation:organisation_list"))
        from opencsms.core import second_factor  # noqa: PLC0415 - the app registry is ready only now
        from opencsms.organisation.selectors import administers  # noqa: PLC0415

        second_factor.require_for(administers)
