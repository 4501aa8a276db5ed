"""Writes of vulnerability monitoring, one module per noun; import them from here."""

from opencsms.vulns.services.advisories import (
    ImportResult,
    create_advisory_source,
    import_advisories,
    sync_source,
)
from opencsms.vulns.services.exploitation import ExploitationResult, import_exploitation
from opencsms.vulns.services.notifications import (
    deliver_notifications,
    deliver_notifications_task,
    mark_notifications_read,
    sweep_deliveries,
)
from opencsms.vulns.services.releases import upload_sbom
from opencsms.vulns.services.step_rating import reverse_finding_links
from opencsms.vulns.services.syncs import (
    queue_sync,
    source_status,
    sweep_organisation_syncs,
    sweep_syncs,
    sync_source_task,
)
from opencsms.vulns.services.tara_loop import (
    confirm_step_link,
    link_finding_to_step,
    loop_new_findings,
    reject_step_link,
    set_tara_loop_rule,
)
from opencsms.vulns.services.triage import triage_finding

__all__ = [
    "ExploitationResult",
    "ImportResult",
    "confirm_step_link",
    "create_advisory_source",
    "deliver_notifications",
    "deliver_notifications_task",
    "import_advisories",
    "import_exploitation",
    "link_finding_to_step",
    "loop_new_findings",
    "mark_notifications_read",
    "queue_sync",
    "reject_step_link",
    "reverse_finding_links",
    "set_tara_loop_rule",
    "source_status",
    "sweep_deliveries",
    "sweep_organisation_syncs",
    "sweep_syncs",
    "sync_source",
    "sync_source_task",
    "triage_finding",
    "upload_sbom",
]
