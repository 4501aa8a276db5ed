"""Sign-in, sign-out, the audit pages, the account page and the user administration; `patterns()` takes the
audit visibility from the URL config."""

from __future__ import annotations

from django.urls import URLPattern, path

from opencsms.core import views
from opencsms.core.views import account, second_step, sso, users

app_name = "core"


def patterns(*, audit_visibility: views.Visibility) -> list[URLPattern]:
    """The core URLs; `audit_visibility(user)` is the filter of the audit scopes a user may read."""
    visible = {"visible": audit_visibility}
    return [
        path("login/", views.login, name="login"),
        path("login/code/", second_step.login_code, name="login_code"),
        path("login/enrol/", second_step.login_enrol, name="login_enrol"),
        path("login/sso/", sso.sso_start, name="sso_start"),
        path("login/sso/callback/", sso.sso_callback, name="sso_callback"),
        path("logout/", views.logout, name="logout"),
        path("audit/", views.audit_log, visible, name="audit"),
        path("audit/export.csv", views.audit_export, visible, name="audit_export"),
        path("audit/verify/", views.audit_verify, name="audit_verify"),
        path(
            "audit/objects/<str:object_type>/<str:object_id>/", views.object_history, visible, name="history"
        ),
        path("account/", account.account, name="account"),
        path("account/profile/", account.profile_save, name="profile_save"),
        path("account/password/", account.password_change, name="password_change"),
        path("account/tokens/", account.token_create, name="token_create"),
        path("account/tokens/<int:token_id>/revoke/", account.token_revoke, name="token_revoke"),
        path("account/second-factor/start/", account.factor_start, name="factor_start"),
        path("account/second-factor/confirm/", account.factor_confirm, name="factor_confirm"),
        path("account/second-factor/disable/", account.factor_disable, name="factor_disable"),
        path("users/", users.user_list, name="users"),
        path("users/new/", users.user_create, name="user_create"),
        path("users/<int:user_id>/deactivate/", users.user_deactivate, name="user_deactivate"),
        path("users/<int:user_id>/activate/", users.user_activate, name="user_activate"),
        path("users/<int:user_id>/password/", users.user_password, name="user_password"),
        path(
            "users/<int:user_id>/second-factor/reset/",
            users.user_second_factor_reset,
            name="user_second_factor_reset",
        ),
    ]
