"""Reads of vulnerability monitoring, one module per noun; import them from here.

- `records`: scoped reads of releases, findings, advisories, sources and notifications; VEX documents.
- `tara_loop`: the TARA threat scenarios a finding concerns (through its release's TARA component).
- `pages`: what the pages show, shaped for display.
"""

from opencsms.vulns.selectors.jobs import every_label
from opencsms.vulns.selectors.pages import (
    PAGE_SIZE,
    advisory_page,
    component_page,
    finding_page,
    notification_page,
    organisation_sources,
    portfolio_page,
    project_releases,
    release_page,
    tara_choices,
    threats_panel,
    triage_panel,
)
from opencsms.vulns.selectors.records import (
    FINDING_SORTS,
    MAX_ADVISORY_BYTES,
    MAX_SBOM_BYTES,
    OPEN,
    SEVERITIES,
    VEX_FORMATS,
    FindingFilter,
    advisories,
    advisory_source,
    advisory_sources,
    components,
    filter_findings,
    finding,
    findings,
    notifications,
    portfolio_findings,
    release,
    releases,
    unread_count,
    vex_bytes,
    vex_document,
)
from opencsms.vulns.selectors.tara_loop import threats_for_finding

__all__ = [
    "FINDING_SORTS",
    "MAX_ADVISORY_BYTES",
    "MAX_SBOM_BYTES",
    "OPEN",
    "PAGE_SIZE",
    "SEVERITIES",
    "VEX_FORMATS",
    "FindingFilter",
    "advisories",
    "advisory_page",
    "advisory_source",
    "advisory_sources",
    "component_page",
    "components",
    "every_label",
    "filter_findings",
    "finding",
    "finding_page",
    "findings",
    "notification_page",
    "notifications",
    "organisation_sources",
    "portfolio_findings",
    "portfolio_page",
    "project_releases",
    "release",
    "release_page",
    "releases",
    "tara_choices",
    "threats_for_finding",
    "threats_panel",
    "triage_panel",
    "unread_count",
    "vex_bytes",
    "vex_document",
]
