"""Read-only admin of the organisation app: writes go through the audited services."""

from __future__ import annotations

from django.contrib import admin

from opencsms.core.admin import ReadOnlyAdmin
from opencsms.organisation.models import BusinessUnit, Membership, Organisation, Project


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")


@admin.register(BusinessUnit)
class BusinessUnitAdmin(ReadOnlyAdmin):
    list_display = ("name", "slug", "organisation")
    search_fields = ("name", "slug")
    list_select_related = ("organisation",)


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ("name", "slug", "business_unit")
    search_fields = ("name", "slug")
    list_select_related = ("business_unit",)


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ("user", "role", "organisation", "business_unit", "project")
    list_filter = ("role",)
    list_select_related = ("user", "organisation", "business_unit", "project")
