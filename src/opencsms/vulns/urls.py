"""URLs of vulnerability monitoring (namespace `vulns`; docs/vulnerabilities.md "In the server")."""

from __future__ import annotations

from django.urls import path

from opencsms.organisation.models import Level
from opencsms.vulns.views import (
    advisories,
    findings,
    notifications,
    portfolio_bulk,
    releases,
    sla,
    vulnerabilities,
)

app_name = "vulns"
ORGANISATION, PROJECT = {"kind": Level.ORGANISATION}, {"kind": Level.PROJECT}

urlpatterns = [
    path("projects/<int:project_id>/releases/", releases.project_releases, name="project_releases"),
    path("projects/<int:project_id>/releases/upload/", releases.upload, name="upload"),
    path("releases/<int:release_id>/", releases.release, name="release"),
    path("releases/<int:release_id>/findings/bulk-triage/", releases.bulk_triage, name="bulk_triage"),
    path("releases/<int:release_id>/sbom/", releases.replace, name="replace_sbom"),
    path("releases/<int:release_id>/vex/import/", releases.import_vex, name="release_vex_import"),
    path(
        "organisations/<int:organisation_id>/vex/import/",
        advisories.import_vex,
        name="organisation_vex_import",
    ),
    path("releases/<int:release_id>/components/", releases.components, name="components"),
    path("releases/<int:release_id>/vex.<str:fmt>.json", releases.vex, name="vex"),
    path("findings/", findings.portfolio, name="portfolio"),
    path("findings/export.<str:fmt>", findings.portfolio_export, name="portfolio_export"),
    path("findings/bulk-triage/", portfolio_bulk.portfolio_bulk_triage, name="portfolio_bulk_triage"),
    path("releases/<int:release_id>/findings.<str:fmt>", releases.export, name="findings_export"),
    path("findings/<int:finding_id>/", findings.finding, name="finding"),
    path("findings/<int:finding_id>/triage/", findings.triage_panel, name="triage_panel"),
    path("findings/<int:finding_id>/triage/edit/", findings.triage, name="triage"),
    path("findings/<int:finding_id>/threats/", findings.threats_panel, name="threats_panel"),
    path("findings/<int:finding_id>/threats/link/", findings.link, name="link"),
    path(
        "findings/<int:finding_id>/step-links/<int:link_id>/confirm/",
        findings.confirm_link,
        name="confirm_link",
    ),
    path(
        "findings/<int:finding_id>/step-links/<int:link_id>/reject/", findings.reject_link, name="reject_link"
    ),
    path("taras/<int:tara_id>/threats/<str:ref>/findings/", findings.tara_step_links, name="tara_step_links"),
    path("organisations/<int:organisation_id>/tara-loop-rule/", advisories.loop_rule, name="loop_rule"),
    path("organisations/<int:organisation_id>/sla/", sla.sla_policy, name="sla_policy"),
    path("organisations/<int:organisation_id>/sla/edit/", sla.sla_policy_edit, name="sla_policy_edit"),
    path("organisations/<int:organisation_id>/overdue/", sla.overdue, name="overdue"),
    path(
        "organisations/<int:level_id>/advisories/",
        advisories.advisories,
        ORGANISATION,
        name="organisation_advisories",
    ),
    path("projects/<int:level_id>/advisories/", advisories.advisories, PROJECT, name="project_advisories"),
    path(
        "organisations/<int:level_id>/advisories/import/",
        advisories.import_advisories,
        ORGANISATION,
        name="organisation_advisory_import",
    ),
    path(
        "projects/<int:level_id>/advisories/import/",
        advisories.import_advisories,
        PROJECT,
        name="project_advisory_import",
    ),
    path(
        "organisations/<int:level_id>/exploitation/import/",
        advisories.import_exploitation,
        ORGANISATION,
        name="organisation_exploitation_import",
    ),
    path(
        "projects/<int:level_id>/exploitation/import/",
        advisories.import_exploitation,
        PROJECT,
        name="project_exploitation_import",
    ),
    path(
        "organisations/<int:organisation_id>/advisory-sources/",
        advisories.source_create,
        name="source_create",
    ),
    path("advisory-sources/<int:source_id>/sync/", advisories.source_sync, name="source_sync"),
    path("advisory-sources/<int:source_id>/schedule/", advisories.source_schedule, name="source_schedule"),
    path("organisations/<int:organisation_id>/advisory-sources/status/", advisories.sources, name="sources"),
    path("notifications/", notifications.notification_list, name="notifications"),
    # a vulnerability id is any text without a slash: its routes end with a fixed word or a slash
    path(
        "organisations/<int:organisation_id>/vulnerabilities/<str:vulnerability_id>/decision/",
        vulnerabilities.decide,
        name="vulnerability_decision",
    ),
    path(
        "releases/<int:release_id>/vulnerabilities/<str:vulnerability_id>/exception/",
        vulnerabilities.set_exception,
        name="triage_exception",
    ),
    path(
        "releases/<int:release_id>/vulnerabilities/<str:vulnerability_id>/exception/remove/",
        vulnerabilities.remove_exception,
        name="triage_exception_remove",
    ),
    path(
        "organisations/<int:level_id>/vulnerabilities/<str:vulnerability_id>/releases.<str:fmt>",
        vulnerabilities.export,
        ORGANISATION,
        name="organisation_vulnerability_export",
    ),
    path(
        "projects/<int:level_id>/vulnerabilities/<str:vulnerability_id>/releases.<str:fmt>",
        vulnerabilities.export,
        PROJECT,
        name="project_vulnerability_export",
    ),
    path(
        "organisations/<int:level_id>/vulnerabilities/<str:vulnerability_id>/",
        vulnerabilities.vulnerability,
        ORGANISATION,
        name="organisation_vulnerability",
    ),
    path(
        "projects/<int:level_id>/vulnerabilities/<str:vulnerability_id>/",
        vulnerabilities.vulnerability,
        PROJECT,
        name="project_vulnerability",
    ),
    path("notifications/read/", notifications.mark_read, name="mark_read"),
    # after the advisories' import routes: an advisory id is any text without a slash
    path(
        "organisations/<int:level_id>/advisories/<str:advisory_id>/",
        advisories.advisory,
        ORGANISATION,
        name="organisation_advisory",
    ),
    path(
        "projects/<int:level_id>/advisories/<str:advisory_id>/",
        advisories.advisory,
        PROJECT,
        name="project_advisory",
    ),
]
