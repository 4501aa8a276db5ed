"""Reads of incident response, one module per noun; import them from here."""

from opencsms.incidents.selectors.records import (
    IncidentPage,
    PlanPage,
    action,
    draft_from_finding,
    finding_incidents,
    incident,
    incident_page,
    incidents,
    level_of,
    new_incident_page,
    plan_at,
    plan_in_force,
    plan_page,
    release_choices,
)
from opencsms.incidents.selectors.report import REPORT_FORMATS, MonitoringReport, monitoring_report
from opencsms.incidents.selectors.report_files import REPORT_MEDIA_TYPES, report_file

__all__ = [
    "REPORT_FORMATS",
    "REPORT_MEDIA_TYPES",
    "IncidentPage",
    "MonitoringReport",
    "PlanPage",
    "action",
    "draft_from_finding",
    "finding_incidents",
    "incident",
    "incident_page",
    "incidents",
    "level_of",
    "monitoring_report",
    "new_incident_page",
    "plan_at",
    "plan_in_force",
    "plan_page",
    "release_choices",
    "report_file",
]
