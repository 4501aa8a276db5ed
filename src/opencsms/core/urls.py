"""Sign-in, sign-out and the audit pages; `patterns()` takes the audit visibility from the URL config."""

from __future__ import annotations

from django.urls import URLPattern, path

from opencsms.core import views

app_name = "core"


def patterns(*, audit_visibility: views.Visibility) -> list[URLPattern]:
    """The core URLs; `audit_visibility(user)` is the filter of the audit scopes a user may read."""
    visible = {"visible": audit_visibility}
    return [
        path("login/", views.login, name="login"),
        path("logout/", views.logout, name="logout"),
        path("audit/", views.audit_log, visible, name="audit"),
        path("audit/export.csv", views.audit_export, visible, name="audit_export"),
        path("audit/verify/", views.audit_verify, name="audit_verify"),
        path(
            "audit/objects/<str:object_type>/<str:object_id>/", views.object_history, visible, name="history"
        ),
    ]
