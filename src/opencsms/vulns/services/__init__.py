"""Writes of vulnerability monitoring, one module per noun; import them from here."""

from opencsms.vulns.services.acceptance import (
    acceptance_hook,
    reopen_expired_acceptances,
    reopen_expired_acceptances_task,
)
from opencsms.vulns.services.advisories import ImportResult, import_advisories
from opencsms.vulns.services.bulk import bulk_triage
from opencsms.vulns.services.escalation import escalate_overdue, escalate_overdue_task, escalation_hook
from opencsms.vulns.services.exploitation import ExploitationResult, import_exploitation
from opencsms.vulns.services.notifications import (
    deliver_notifications,
    deliver_notifications_task,
    mark_notifications_read,
    sweep_deliveries,
)
from opencsms.vulns.services.portfolio_bulk import bulk_triage_portfolio
from opencsms.vulns.services.releases import upload_sbom
from opencsms.vulns.services.rematch import RematchResult, rematch_organisation
from opencsms.vulns.services.revisions import replace_sbom
from opencsms.vulns.services.schedules import set_schedule
from opencsms.vulns.services.sla import set_sla_policy
from opencsms.vulns.services.sources import create_advisory_source, sync_source
from opencsms.vulns.services.step_rating import reverse_finding_links
from opencsms.vulns.services.syncs import (
    enqueue_due_syncs,
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
from opencsms.vulns.services.vex import import_vex
from opencsms.vulns.services.vulnerability_triage import (
    remove_triage_exception,
    set_triage_exception,
    triage_vulnerability,
)

__all__ = [
    "ExploitationResult",
    "ImportResult",
    "RematchResult",
    "acceptance_hook",
    "bulk_triage",
    "bulk_triage_portfolio",
    "confirm_step_link",
    "create_advisory_source",
    "deliver_notifications",
    "deliver_notifications_task",
    "enqueue_due_syncs",
    "escalate_overdue",
    "escalate_overdue_task",
    "escalation_hook",
    "import_advisories",
    "import_exploitation",
    "import_vex",
    "link_finding_to_step",
    "loop_new_findings",
    "mark_notifications_read",
    "queue_sync",
    "reject_step_link",
    "rematch_organisation",
    "remove_triage_exception",
    "reopen_expired_acceptances",
    "reopen_expired_acceptances_task",
    "replace_sbom",
    "reverse_finding_links",
    "set_schedule",
    "set_sla_policy",
    "set_tara_loop_rule",
    "set_triage_exception",
    "source_status",
    "sweep_deliveries",
    "sweep_organisation_syncs",
    "sweep_syncs",
    "sync_source",
    "sync_source_task",
    "triage_finding",
    "triage_vulnerability",
    "upload_sbom",
]
