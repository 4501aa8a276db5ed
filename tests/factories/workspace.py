"""Builders of the page tests' worlds: the organisation tree with one user per role and the reference model
imported into its project by the engineer (`make_workspace`); with vulnerability monitoring, the example
TCU release with the example advisories' findings (`monitor`, examples/vulns). The fixtures `workspace`
and `monitored` are in tests/tara/conftest.py and tests/vulns/conftest.py."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.test import Client

from opencsms.core.models import User
from opencsms.organisation.models import Role
from opencsms.tara import services
from opencsms.tara.models import Baseline, Tara
from opencsms.vulns import services as services_vulns
from opencsms.vulns.models import Finding, Release
from tests.factories.organisation import Tree, make_matrix_user, make_tree
from tests.paths import EXAMPLES, REFERENCE


@dataclass(frozen=True)
class Workspace:
    tree: Tree
    tara: Tara
    users: dict[str, User]

    def client(self, who: str) -> Client:
        client = Client()
        client.force_login(self.users[who] if who in self.users else make_matrix_user(self.tree, who))
        return client


def make_workspace(model: Path = REFERENCE) -> Workspace:
    """The tree, a user per role and `model` (the reference TARA unless told) imported by the engineer."""
    tree = make_tree()
    users = {role: make_matrix_user(tree, role) for role in Role.values}
    tara = services.import_tara(
        actor=users[Role.ENGINEER],
        project_id=tree.project.pk,
        raw=model.read_bytes(),
        filename=model.name,
    )
    return Workspace(tree, tara, users)


def fresh(workspace: Workspace) -> Workspace:
    """The same workspace with its TARA and users read again from the database."""
    users = User.objects.in_bulk([user.pk for user in workspace.users.values()])
    return Workspace(
        workspace.tree,
        Tara.objects.get(pk=workspace.tara.pk),
        {role: users[user.pk] for role, user in workspace.users.items()},
    )


# A TARA's versions (tests/tara/test_*_versions.py): baselines, an approval, a change below a highest risk.


def lower_ds01_safety(workspace: Workspace) -> None:
    """DS-01's safety impact severe -> negligible: TS-01's safety risk 5 -> 1, its highest stays 5."""
    services.update_element(
        actor=workspace.users["engineer"],
        tara_id=workspace.tara.pk,
        kind="damage_scenarios",
        ref="DS-01",
        changes={"impact": {"safety": "negligible", "operational": "severe", "financial": "major"}},
    )


def freeze(workspace: Workspace, name: str = "before") -> Baseline:
    return services.create_baseline(actor=workspace.users["engineer"], tara_id=workspace.tara.pk, name=name)


def approved_then_changed(workspace: Workspace) -> tuple[Baseline, str]:
    """The TARA submitted, approved (its baseline `r1 approved`), then changed (revision 2, a draft);
    returns the approval's baseline and the approver's name."""
    tara, reviewer = workspace.tara, workspace.users["reviewer"]
    services.submit_for_review(actor=workspace.users["engineer"], tara_id=tara.pk)
    tara.refresh_from_db()
    approval = services.approve(actor=reviewer, tara_id=tara.pk, content_sha256=tara.content_sha256)
    lower_ds01_safety(workspace)
    return approval, reviewer.get_full_name() or reviewer.username


def disposition_name(response: Any) -> str:
    return str(response["Content-Disposition"]).split('filename="')[1].rstrip('"')


VULN_EXAMPLES = EXAMPLES / "vulns"  # the example SBOMs and advisories


def advisories_zip(*extra: Path) -> bytes:
    """The example Go advisories (examples/vulns/advisories) and `extra` files as one zip upload."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for file in [*sorted((VULN_EXAMPLES / "advisories").glob("*.json")), *extra]:
            archive.write(file, file.name)
    return buffer.getvalue()


@dataclass(frozen=True)
class Monitored:
    """The workspace with vulnerability monitoring: the TCU release (on the TARA's TCU component) with the
    example advisories' findings, one of them (EXAMPLE-2026-0001) with a CVSS v3 vector."""

    workspace: Workspace
    release: Release
    finding: Finding  # EXAMPLE-2026-0001 on gorilla/websocket: critical, CVSS v3

    def client(self, who: str) -> Client:
        return self.workspace.client(who)


def fresh_monitored(monitored: Monitored) -> Monitored:
    """The same monitored workspace with its rows read again from the database."""
    return Monitored(
        fresh(monitored.workspace),
        Release.objects.get(pk=monitored.release.pk),
        Finding.objects.get(pk=monitored.finding.pk),
    )


def monitor(workspace: Workspace) -> Monitored:
    engineer, project = workspace.users["engineer"], workspace.tree.project
    services_vulns.import_advisories(
        actor=engineer, project_id=project.pk, raw=advisories_zip(VULN_EXAMPLES / "new-advisory.osv.json")
    )
    release = services_vulns.upload_sbom(
        actor=engineer,
        project_id=project.pk,
        name="TCU firmware",
        version="4.2.0",
        raw=(VULN_EXAMPLES / "tcu-firmware-4.2.0.cdx.json").read_bytes(),
        filename="tcu-firmware-4.2.0.cdx.json",
        component_ref="TCU",
        tara_id=workspace.tara.pk,
    )
    finding = release.findings.get(vulnerability_id="EXAMPLE-2026-0001")
    return Monitored(workspace, release, finding)
