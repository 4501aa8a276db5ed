"""The vulnerability API: upload over HTTP, filters, pages and query counts. Who may call each endpoint is
the permission matrix's (tests/config/permissions)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from opencsms.engine.vex import parse_vex
from opencsms.organisation.models import Role
from opencsms.vulns import services
from opencsms.vulns.models import Release
from tests.factories.core import make_admin, make_user
from tests.factories.organisation import Tree, make_membership, make_tree
from tests.factories.vulns import CRITICAL, epss_csv, kev_json, make_release, osv, osv_bytes

pytestmark = pytest.mark.django_db


def _release(tree: Tree, *purls: str) -> Release:
    author = make_user()
    make_membership(author, tree.project, Role.ENGINEER)
    services.import_advisories(
        actor=author,
        project_id=tree.project.pk,
        raw=osv_bytes(*(osv(f"GHSA-{n}", f"lib-{n}", vector=CRITICAL) for n in range(20))),
    )
    return make_release(author, tree.project, *(purls or ("pkg:npm/lib-0@1.0.0",)))


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
