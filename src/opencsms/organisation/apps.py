"""Django app configuration of `opencsms.organisation`."""

from __future__ import annotations

from typing import ClassVar

from django.apps import AppConfig


class OrganisationConfig(AppConfig):
    name = "opencsms.organisation"
    label = "organisation"
    verbose_name = "OpenCSMS organisation and projects"
    default_auto_field = "django.db.models.BigAutoField"
    # the label until December 2026: `migrate` carries older databases over (core.renames)
    renamed_from: ClassVar[str] = "products"
