"""Writes of vulnerability monitoring, one module per noun; import them from here."""

from opencsms.vulns.services.advisories import (
    ImportResult,
    create_advisory_source,
    import_advisories,
    queue_sync,
    sync_source,
    sync_source_task,
)
from opencsms.vulns.services.releases import upload_sbom
from opencsms.vulns.services.tara_loop import link_finding_to_step
from opencsms.vulns.services.triage import triage_finding

__all__ = [
    "ImportResult",
    "create_advisory_source",
    "import_advisories",
    "link_finding_to_step",
    "queue_sync",
    "sync_source",
    "sync_source_task",
    "triage_finding",
    "upload_sbom",
]
