"""The admin site: superusers only (Django's asks for `is_staff`, which our roles do not use).

Anyone else who is signed in gets the 403 page from our sign-in redirect (`core.views.admin_login`)
instead of being sent to sign in again, which looped for a signed-in user who is not a superuser.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest


class SuperuserAdminSite(admin.AdminSite):
    site_header = "OpenCSMS administration (read-only)"
    site_title = "OpenCSMS admin"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_superuser)
