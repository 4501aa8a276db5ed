"""The vulnerability pages and actions: a role x page/action permission matrix, like the API's. Every
request carries HX-Request, so a success is 200 (page or partial) or 302 (redirect to the result); the
permission check gives 403 (visible, not permitted) or 404 (outside the user's scope). Roles are held at
the business unit (the supplier guest at the project); the organisation's pages get roles held there.

One test per role runs every action in order (reads first, then the changes, which do not depend on each
other), so the fixture is built once per role, not once per cell; a failure shows the whole row."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from opencsms.organisation.models import Role
from opencsms.vulns import services
from tests.e2e.web.conftest import EXAMPLES, Monitored
from tests.factories.core import make_admin, make_user
from tests.factories.organisation import make_membership
from tests.factories.vulns import kev_json

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def _sbom() -> dict[str, Any]:
    raw = (EXAMPLES / "cgw-firmware-1.8.0.cdx.json").read_bytes()
    return {"file": SimpleUploadedFile("cgw.cdx.json", raw), "name": "Gateway firmware", "version": "1.8.0"}


ACTIONS: dict[str, tuple[str, str, Any]] = {
    "project releases": ("get", "/projects/{p}/releases/", {}),
    "release": ("get", "/releases/{r}/?severity=CRITICAL", {}),
    "components": ("get", "/releases/{r}/components/", {}),
    "vex": ("get", "/releases/{r}/vex.csaf.json", {}),
    "finding": ("get", "/findings/{f}/", {}),
    "advisories": ("get", "/projects/{p}/advisories/?q=GO", {}),
    "portfolio": ("get", "/findings/?q=CVE", {}),
    "notifications": ("get", "/notifications/", {}),
    "upload": ("post", "/projects/{p}/releases/upload/", _sbom),
    "triage": (
        "post",
        "/findings/{f}/triage/edit/",
        {"stage": "weakness", "vex_status": "under_investigation"},
    ),
    "link": ("post", "/findings/{f}/threats/link/", {"threat": "TS-05", "path": "AP-05a", "address": "0"}),
    "import advisories": (
        "post",
        "/projects/{p}/advisories/import/",
        lambda: {"file": SimpleUploadedFile("new.json", (EXAMPLES / "new-advisory.osv.json").read_bytes())},
    ),
    "import kev": (
        "post",
        "/projects/{p}/exploitation/import/",
        lambda: {"file": SimpleUploadedFile("kev.json", kev_json("CVE-2022-32149")), "kind": "kev"},
    ),
    "mark read": ("post", "/notifications/read/", {}),
}
READ, WRITE = (200,) * 8, (302,) * 6
REFUSED = (403, 403, 403, 403, 403, 302)
OUTSIDE = (404, 404, 404, 404, 404, 404, 200, 200, 404, 404, 404, 404, 404, 302)
EXPECTED: dict[str, tuple[int, ...]] = {
    "administrator": READ + WRITE,
    "cybersecurity_manager": READ + WRITE,
    "engineer": READ + WRITE,
    "reviewer": READ + REFUSED,
    "auditor": READ + REFUSED,
    "supplier_guest": READ + REFUSED,
    "no membership": OUTSIDE,
    "superuser": READ + WRITE,
}


def _request(client: Client, action: str, monitored: Monitored) -> Any:
    method, path, data = ACTIONS[action]
    ids = {"p": monitored.release.project_id, "r": monitored.release.pk, "f": monitored.finding.pk}
    return getattr(client, method)(path.format(**ids), data() if callable(data) else data, **HX)


@pytest.mark.parametrize("who", list(EXPECTED))
def test_vulns_permission_matrix(monitored: Monitored, who: str) -> None:
    client = monitored.client(who)
    responses = {action: _request(client, action, monitored) for action in ACTIONS}
    assert {a: r.status_code for a, r in responses.items()} == dict(zip(ACTIONS, EXPECTED[who], strict=True))
    refused_by_a_rule = [
        a for a, r in responses.items() if 'role="status"' in r.content.decode(errors="replace")
    ]
    assert refused_by_a_rule == []  # every refusal here is a permission's


ORGANISATION_ACTIONS: dict[str, tuple[str, str, Any]] = {
    "organisation advisories": ("get", "/organisations/{o}/advisories/", {}),
    "add source": (
        "post",
        "/organisations/{o}/advisory-sources/",
        {"name": "Go", "kind": "osv_path", "location": "/srv/go"},
    ),
    "sync source": ("post", "/advisory-sources/{s}/sync/", {}),
}
ORGANISATION_EXPECTED: dict[str, tuple[int, ...]] = {
    "administrator": (200, 302, 302),
    "cybersecurity_manager": (200, 302, 302),
    "engineer": (200, 302, 302),
    "reviewer": (200, 403, 403),
    "auditor": (200, 403, 403),
    "supplier_guest": (404, 404, 404),  # a guest holds nothing at an organisation
    "no membership": (404, 404, 404),
    "superuser": (200, 302, 302),
}


@pytest.mark.parametrize("who", list(ORGANISATION_EXPECTED))
def test_organisation_pages_permission_matrix(monitored: Monitored, who: str) -> None:
    organisation = monitored.workspace.tree.organisation
    source = services.create_advisory_source(
        actor=make_admin(), organisation_id=organisation.pk, name="OSV", kind="osv_path", location="/srv/osv"
    )
    user = make_admin() if who == "superuser" else make_user()
    if who in Role.values:
        make_membership(user, organisation, Role(who))
    client = Client()
    client.force_login(user)
    statuses = {
        action: getattr(client, method)(path.format(o=organisation.pk, s=source.pk), data, **HX).status_code
        for action, (method, path, data) in ORGANISATION_ACTIONS.items()
    }
    assert statuses == dict(zip(ORGANISATION_ACTIONS, ORGANISATION_EXPECTED[who], strict=True))


def test_readers_see_no_action(monitored: Monitored) -> None:
    auditor = monitored.client("auditor")
    releases = auditor.get(f"/projects/{monitored.release.project_id}/releases/", **HX).content.decode()
    assert 'data-testid="upload-sbom"' not in releases
    finding = auditor.get(f"/findings/{monitored.finding.pk}/").content.decode()
    assert "Save triage" not in finding
    assert 'data-testid="link-form"' not in finding
    assert "disabled" in finding
    advisories = auditor.get(f"/projects/{monitored.release.project_id}/advisories/").content.decode()
    assert 'data-testid="import-advisories"' not in advisories
    engineer = monitored.client("engineer").get(f"/findings/{monitored.finding.pk}/").content.decode()
    assert "Save triage" in engineer
    assert 'data-testid="link-form"' in engineer
