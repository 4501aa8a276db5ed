"""Pages of the core app: sign-in and the audit pages (`pages`), a person's account (`account`) and the user
administration of superusers (`users`)."""

from __future__ import annotations

from opencsms.core.views.pages import (
    Visibility,
    admin_login,
    audit_export,
    audit_log,
    audit_verify,
    login,
    logout,
    object_history,
)

__all__ = [
    "Visibility",
    "admin_login",
    "audit_export",
    "audit_log",
    "audit_verify",
    "login",
    "logout",
    "object_history",
]
