"""Writes of incident response, one module per noun; import them from here."""

from opencsms.incidents.services.incidents import close_incident, open_incident, update_incident
from opencsms.incidents.services.plans import save_plan
from opencsms.incidents.services.records import (
    add_action,
    add_entry,
    complete_action,
    record_communication,
)

__all__ = [
    "add_action",
    "add_entry",
    "close_incident",
    "complete_action",
    "open_incident",
    "record_communication",
    "save_plan",
    "update_incident",
]
