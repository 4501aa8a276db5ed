"""Django app configuration of `opencsms.products`."""

from __future__ import annotations

from django.apps import AppConfig


class ProductsConfig(AppConfig):
    name = "opencsms.products"
    label = "products"
    verbose_name = "OpenCSMS organisation and projects"
    default_auto_field = "django.db.models.BigAutoField"
