"""URLs: the web pages, the admin (superusers only) and the API under /api/v1/.

Every page needs a signed-in user (LoginRequiredMiddleware) except the sign-in page; the API authenticates
each request itself. The admin signs in through our sign-in page (throttled), never its own.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from opencsms.config.api import api
from opencsms.core import urls as core_urls
from opencsms.core import views as core_views
from opencsms.organisation import selectors as organisation_selectors
from opencsms.tara.views import pages as tara_pages

urlpatterns = [
    path("admin/login/", core_views.admin_login),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include((core_urls.patterns(audit_visibility=organisation_selectors.audit_visibility), "core"))),
    path("", tara_pages.dashboard, name="dashboard"),  # the one dashboard: projects with their TARAs
    path("", include("opencsms.organisation.urls")),
    path("", include("opencsms.tara.urls")),
    path("", include("opencsms.vulns.urls")),
]
