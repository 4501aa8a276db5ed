"""The payloads of incident response's write routes (the parts of a `calls.Call`, kept here so that
calls.py stays small): each succeeds for a caller who may use the route."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tests.config.permissions.world import World
from tests.factories.incidents import CRITERIA, PLAN


def _data(**values: Any) -> dict[str, Any]:
    return {"data": lambda world: values}


def _facts(world: World) -> Mapping[str, Any]:
    detected = world.incident.detected_at.strftime("%Y-%m-%dT%H:%M")
    return {"title": "Matrix incident", "severity": "high", "detected_at": detected, "reported_by": "SOC"}


NEW = {
    "title": "New matrix incident",
    "severity": "low",
    "detected_at": "2026-01-05T10:00:00Z",
    "reported_by": "SOC",
}
CLOSE = {"confirmed": list(CRITERIA), "note": "Fixed everywhere"}
COMMUNICATION = {"recipient": "OEM PSIRT", "channel": "email", "summary": "Told them"}

PAGES: dict[str, dict[str, Any]] = {
    "incidents:incident_edit": {"data": lambda w: {**_facts(w), "status": "investigating"}},
    "incidents:entry_add": _data(kind="observation", text="Seen again"),
    "incidents:action_add": _data(title="Patch the TCU"),
    "incidents:action_done": {"data": lambda w: {"action": w.action.pk}},
    "incidents:communication_add": _data(**COMMUNICATION),
    "incidents:incident_close": _data(**CLOSE),
    "incidents:organisation_incident_new": _data(**NEW),
    "incidents:project_incident_new": _data(**NEW),
    "incidents:organisation_plan_save": _data(**PLAN),
    "incidents:project_plan_save": _data(**PLAN),
    "incidents:report_file": {"args": lambda w: {"fmt": "csv"}},
}
ONE = "/incidents/{incident_id}"
REPORT = {"query": lambda w: {"since": "2026-01-01", "until": "2026-12-31", "format": "csv"}}
API: dict[str, dict[str, Any]] = {
    "PUT /organisations/{organisation_id}/incident-plan": _data(**PLAN),
    "PUT /projects/{project_id}/incident-plan": _data(**PLAN),
    "POST /organisations/{organisation_id}/incidents": _data(**NEW),
    "POST /projects/{project_id}/incidents": _data(**NEW),
    f"PATCH {ONE}": _data(title="Renamed matrix incident"),
    f"POST {ONE}/close": _data(**CLOSE),
    f"POST {ONE}/timeline": _data(kind="observation", text="Seen again"),
    f"POST {ONE}/actions": _data(title="Patch the TCU"),
    f"POST {ONE}/communications": _data(**COMMUNICATION),
    "GET /organisations/{organisation_id}/monitoring-report": REPORT,
}
