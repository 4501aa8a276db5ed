"""URLs: the admin (superusers and support only) and the API under /api/v1/."""

from __future__ import annotations

from django.contrib import admin
from django.urls import path

from opencsms.config.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
