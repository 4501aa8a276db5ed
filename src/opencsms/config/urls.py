"""URLs: the web pages, the admin (superusers only) and the API under /api/v1/.

Every page needs a signed-in user (LoginRequiredMiddleware) except the sign-in page; the API authenticates
each request itself. The admin signs in through our sign-in page (throttled), never its own.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import include, path
from django.views import defaults

from opencsms.config.api import api
from opencsms.core import unavailable
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
    path("", include("opencsms.incidents.urls")),
]


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 404 for a URL no route matches (or a page's `Http404`): the API's JSON error under /api/,
    the 404 page elsewhere."""
    if request.path.startswith("/api/"):
        detail = f"no API route {request.method} {request.path}: see /api/v1/docs"
        return JsonResponse({"code": "not_found", "detail": detail}, status=404)
    return defaults.page_not_found(request, exception)


handler404 = not_found
handler500 = unavailable.server_error  # a database outage before the view: 503, else Django's 500 page
