"""URLs of incident response (namespace `incidents`; docs/incidents.md)."""

from __future__ import annotations

from django.urls import path

from opencsms.incidents.views import incidents, plans, report
from opencsms.organisation.models import Level

app_name = "incidents"
ORGANISATION, PROJECT = {"kind": Level.ORGANISATION}, {"kind": Level.PROJECT}

urlpatterns = [
    path("incidents/", incidents.incident_list, name="incident_list"),
    path("incidents/<int:incident_id>/", incidents.incident, name="incident"),
    path("incidents/<int:incident_id>/edit/", incidents.incident_edit, name="incident_edit"),
    path("incidents/<int:incident_id>/timeline/", incidents.entry_add, name="entry_add"),
    path("incidents/<int:incident_id>/actions/", incidents.action_add, name="action_add"),
    path("incidents/<int:incident_id>/actions/done/", incidents.action_done, name="action_done"),
    path(
        "incidents/<int:incident_id>/communications/", incidents.communication_add, name="communication_add"
    ),
    path("incidents/<int:incident_id>/close/", incidents.incident_close, name="incident_close"),
    path("findings/<int:finding_id>/incidents/", incidents.finding_panel, name="finding_panel"),
    path(
        "organisations/<int:level_id>/incidents/new/",
        incidents.incident_new,
        ORGANISATION,
        name="organisation_incident_new",
    ),
    path(
        "projects/<int:level_id>/incidents/new/", incidents.incident_new, PROJECT, name="project_incident_new"
    ),
    path("organisations/<int:level_id>/incident-plan/", plans.plan, ORGANISATION, name="organisation_plan"),
    path("projects/<int:level_id>/incident-plan/", plans.plan, PROJECT, name="project_plan"),
    path(
        "organisations/<int:level_id>/incident-plan/save/",
        plans.plan_save,
        ORGANISATION,
        name="organisation_plan_save",
    ),
    path("projects/<int:level_id>/incident-plan/save/", plans.plan_save, PROJECT, name="project_plan_save"),
    path("organisations/<int:organisation_id>/monitoring-report/", report.report, name="report"),
    path(
        "organisations/<int:organisation_id>/monitoring-report.<str:fmt>",
        report.report_file,
        name="report_file",
    ),
]
