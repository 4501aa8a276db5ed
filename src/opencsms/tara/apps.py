"""Django app configuration of `opencsms.tara`."""

from __future__ import annotations

from django.apps import AppConfig


class TaraConfig(AppConfig):
    name = "opencsms.tara"
    label = "tara"
    verbose_name = "OpenCSMS TARA workspace"
    default_auto_field = "django.db.models.BigAutoField"
