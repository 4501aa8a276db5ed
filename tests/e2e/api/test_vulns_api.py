"""The vulnerability API: a role x endpoint matrix, upload over HTTP, filters, pages and query counts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from opencsms.core.models import User
from opencsms.engine.vex import parse_vex
from opencsms.organisation.models import Role
from opencsms.vulns import services
from opencsms.vulns.models import Finding, Release
from tests.factories.core import make_admin, make_user
from tests.factories.organisation import Tree, make_membership, make_tree
from tests.factories.vulns import CRITICAL, cyclonedx, epss_csv, kev_json, make_release, osv, osv_bytes

pytestmark = pytest.mark.django_db

Call = Callable[[Client, Release, Finding], Any]


def _get(path: str) -> Call:
    return lambda client, release, finding: client.get(path.format(r=release, f=finding))


def _upload(client: Client, release: Release, finding: Finding) -> Any:
    file = SimpleUploadedFile("ecu.cdx.json", cyclonedx("pkg:npm/left-pad@1.0.0"))
    return client.post(
        f"/api/v1/projects/{release.project_id}/releases", {"file": file, "name": "ecu", "version": "2"}
    )


def _advisories(client: Client, release: Release, finding: Finding) -> Any:
    file = SimpleUploadedFile("adv.json", osv_bytes(osv("GHSA-9", "left-pad")))
    return client.post(f"/api/v1/projects/{release.project_id}/advisories", {"file": file})


def _triage(client: Client, release: Release, finding: Finding) -> Any:
    return client.patch(
        f"/api/v1/findings/{finding.pk}", {"stage": "weakness"}, content_type="application/json"
    )


ENDPOINTS: dict[str, Call] = {
    "list releases": _get("/api/v1/projects/{r.project_id}/releases"),
    "get release": _get("/api/v1/releases/{r.pk}"),
    "list findings": _get("/api/v1/releases/{r.pk}/findings?severity=critical"),
    "get finding": _get("/api/v1/findings/{f.pk}"),
    "export vex": _get("/api/v1/releases/{r.pk}/vex?format=csaf"),
    "threats": _get("/api/v1/findings/{f.pk}/threats"),
    "upload sbom": _upload,
    "import advisories": _advisories,
    "triage": _triage,
}
# Roles held at the business unit (the supplier guest at the project).
EXPECTED: dict[str, tuple[int, ...]] = {
    "administrator": (200, 200, 200, 200, 200, 200, 201, 200, 200),
    "cybersecurity_manager": (200, 200, 200, 200, 200, 200, 201, 200, 200),
    "engineer": (200, 200, 200, 200, 200, 200, 201, 200, 200),
    "reviewer": (200, 200, 200, 200, 200, 200, 403, 403, 403),
    "auditor": (200, 200, 200, 200, 200, 200, 403, 403, 403),
    "supplier_guest": (200, 200, 200, 200, 200, 200, 403, 403, 403),
    "no membership": (200, 404, 404, 404, 404, 404, 404, 404, 404),
    "superuser": (200, 200, 200, 200, 200, 200, 201, 200, 200),
}
MATRIX = [
    pytest.param(who, endpoint, statuses[index], id=f"{who}-{endpoint}")
    for who, statuses in EXPECTED.items()
    for index, endpoint in enumerate(ENDPOINTS)
]


def _release(tree: Tree, *purls: str) -> Release:
    author = make_user()
    make_membership(author, tree.project, Role.ENGINEER)
    services.import_advisories(
        actor=author,
        project_id=tree.project.pk,
        raw=osv_bytes(*(osv(f"GHSA-{n}", f"lib-{n}", vector=CRITICAL) for n in range(20))),
    )
    return make_release(author, tree.project, *(purls or ("pkg:npm/lib-0@1.0.0",)))


def _user(who: str, tree: Tree) -> User:
    user = make_admin() if who == "superuser" else make_user()
    if who == "supplier_guest":
        make_membership(user, tree.project, Role.SUPPLIER_GUEST)
    elif who in Role.values:
        make_membership(user, tree.business_unit, Role(who))
    return user


@pytest.mark.parametrize(("who", "endpoint", "expected"), MATRIX)
def test_permission_matrix(who: str, endpoint: str, expected: int) -> None:
    assert len(EXPECTED[who]) == len(ENDPOINTS)
    tree = make_tree()
    release = _release(tree)
    client = Client()
    client.force_login(_user(who, tree))
    response = ENDPOINTS[endpoint](client, release, release.findings.get())
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert {"code", "detail"} <= response.json().keys()
    if endpoint == "list releases" and who == "no membership":
        assert response.json() == []


def test_upload_refusal_filters_and_vex_over_http() -> None:
    tree = make_tree()
    client = Client()
    client.force_login(make_admin())
    bad = client.post(
        f"/api/v1/projects/{tree.project.pk}/releases",
        {"file": SimpleUploadedFile("lock.json", b'{"lockfileVersion": 3}'), "name": "ecu", "version": "1"},
    )
    assert bad.status_code == 422
    assert "not-an-sbom" in bad.json()["detail"]
    release = _release(tree, "pkg:npm/lib-1@1.0.0", "pkg:npm/lib-2@1.0.0", "pkg:npm/other@1.0.0")
    url = f"/api/v1/releases/{release.pk}/findings"
    page = client.get(url, {"limit": 1}).json()
    assert (page["count"], len(page["items"])) == (2, 1)
    assert page["items"][0]["component"]["purl"].startswith("pkg:npm/lib-")
    assert client.get(url, {"kev": "true"}).json()["count"] == 0
    assert client.get(url, {"severity": "low"}).json()["count"] == 0
    assert client.get(url, {"severity": "bad"}).status_code == 422
    for known in ({"sort": "component", "status": "", "stage": ""}, {"status": "fixed", "stage": "decided"}):
        assert client.get(url, known).status_code == 200
    for unknown in ({"sort": "bad"}, {"status": "bad"}, {"stage": "bad"}):
        assert client.get(url, unknown).status_code == 422
    finding_id = page["items"][0]["id"]
    refused = client.patch(
        f"/api/v1/findings/{finding_id}", {"decision": "accept"}, content_type="application/json"
    )
    assert refused.status_code == 422
    vex = client.get(f"/api/v1/releases/{release.pk}/vex", {"format": "openvex"})
    assert {s.vulnerability for s in parse_vex(vex.content, "x.json")} == {"GHSA-1", "GHSA-2"}
    assert client.get(f"/api/v1/releases/{release.pk}").json()["finding_count"] == 2


def _count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_lists_take_the_same_queries_for_1_and_20_rows() -> None:
    tree = make_tree()
    release = _release(tree, *(f"pkg:npm/lib-{n}@1.0.0" for n in range(20)))
    for n in range(1, 20):
        make_release(release.created_by, tree.project, f"pkg:npm/lib-{n}@1.0.0", version=f"1.{n}")
    user = make_user()
    make_membership(user, tree.business_unit, Role.AUDITOR)
    client = Client()
    client.force_login(user)
    findings = f"/api/v1/releases/{release.pk}/findings"
    assert _count_queries(client, findings + "?limit=1") == _count_queries(client, findings + "?limit=20")
    releases = f"/api/v1/projects/{tree.project.pk}/releases"
    one = _count_queries(client, releases)
    assert len(client.get(releases).json()) == 20
    other = make_tree()
    _release(other)
    admin = Client()
    admin.force_login(make_admin())
    assert _count_queries(admin, f"/api/v1/projects/{other.project.pk}/releases") == one


def test_kev_and_epss_over_http_and_notifications_marked_read() -> None:
    tree = make_tree()
    release = _release(tree)
    engineer = release.created_by
    client = Client()
    client.force_login(engineer)
    kev = SimpleUploadedFile("kev.json", kev_json("GHSA-0"))
    done = client.post(f"/api/v1/projects/{tree.project.pk}/exploitation", {"file": kev, "kind": "kev"})
    assert done.json() == {"kind": "kev", "entries": 1, "findings": 1}
    epss = SimpleUploadedFile("epss.csv", epss_csv(GHSA_0=0.5))
    refused = client.post(f"/api/v1/projects/{tree.project.pk}/exploitation", {"file": epss, "kind": "kev"})
    assert (refused.status_code, refused.json()["code"]) == (422, "invalid")
    assert client.get(f"/api/v1/releases/{release.pk}/findings").json()["items"][0]["kev"] is True
    manager = make_user()
    make_membership(manager, tree.project, Role.CYBERSECURITY_MANAGER)
    services.import_advisories(
        actor=engineer, project_id=tree.project.pk, raw=osv_bytes(osv("GHSA-new", "lib-0", fixed="9.0.0"))
    )
    listed = client.get("/api/v1/notifications?unread=true").json()
    assert listed["count"] == 1
    assert listed["items"][0]["release_id"] == release.pk
    read = client.post("/api/v1/notifications/read", {}, content_type="application/json")
    assert read.json() == {"read": 1}
    assert client.get("/api/v1/notifications?unread=true").json()["count"] == 0
