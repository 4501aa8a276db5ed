"""URLs of the organisation pages. `<level:kind>` is organisation, business_unit or project."""

from __future__ import annotations

from django.urls import path, register_converter

from opencsms.organisation import views
from opencsms.organisation.models import Level

app_name = "organisation"


class LevelConverter:
    regex = "|".join(Level.values)

    def to_python(self, value: str) -> Level:
        return Level(value)

    def to_url(self, value: str) -> str:
        return str(value)


register_converter(LevelConverter, "level")

urlpatterns = [
    path("organisations/", views.organisation_list, name="organisation_list"),
    path(
        "organisations/<int:level_id>/", views.level_detail, {"kind": Level.ORGANISATION}, name="organisation"
    ),
    path(
        "business-units/<int:level_id>/",
        views.level_detail,
        {"kind": Level.BUSINESS_UNIT},
        name="business_unit",
    ),
    path("projects/<int:level_id>/", views.level_detail, {"kind": Level.PROJECT}, name="project"),
    path(
        "organisations/<int:level_id>/business-units/",
        views.child_create,
        {"kind": Level.ORGANISATION},
        name="business_unit_create",
    ),
    path(
        "business-units/<int:level_id>/projects/",
        views.child_create,
        {"kind": Level.BUSINESS_UNIT},
        name="project_create",
    ),
    path("members/<level:kind>/<int:level_id>/add/", views.member_add, name="member_add"),
    path("members/<level:kind>/<int:level_id>/<int:user_id>/role/", views.member_role, name="member_role"),
    path(
        "members/<level:kind>/<int:level_id>/<int:user_id>/remove/", views.member_remove, name="member_remove"
    ),
]
