"""Writes of vulnerability monitoring, one module per noun; import them from here."""

from opencsms.vulns.services.advisories import ImportResult, import_advisories
from opencsms.vulns.services.exploitation import ExploitationResult, import_exploitation
from opencsms.vulns.services.notifications import (
    deliver_notifications,
    deliver_notifications_task,
    mark_notifications_read,
    sweep_deliveries,
)
from opencsms.vulns.services.releases import upload_sbom
from opencsms.vulns.services.schedules import set_schedule
from opencsms.vulns.services.sources import create_advisory_source, sync_source
from opencsms.vulns.services.syncs import (
    enqueue_due_syncs,
    queue_sync,
    source_status,
    sweep_organisation_syncs,
    sweep_syncs,
    sync_source_task,
)
from opencsms.vulns.services.tara_loop import link_finding_to_step
from opencsms.vulns.services.triage import triage_finding

__all__ = [
    "ExploitationResult",
    "ImportResult",
    "create_advisory_source",
    "deliver_notifications",
    "deliver_notifications_task",
    "enqueue_due_syncs",
    "import_advisories",
    "import_exploitation",
    "link_finding_to_step",
    "mark_notifications_read",
    "queue_sync",
    "set_schedule",
    "source_status",
    "sweep_deliveries",
    "sweep_organisation_syncs",
    "sweep_syncs",
    "sync_source",
    "sync_source_task",
    "triage_finding",
    "upload_sbom",
]
