"""The TARA API: import/export over HTTP, pages and query counts. Who may call each endpoint is the
permission matrix's (tests/config/permissions)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from opencsms.organisation.models import Role
from opencsms.tara import services
from opencsms.tara.models import Tara
from tests.factories.core import make_admin, make_user
from tests.factories.organisation import Tree, make_membership, make_tree
from tests.tara.conftest import REFERENCE

pytestmark = pytest.mark.django_db


def _tara(tree: Tree, submitted: bool) -> Tara:
    author = make_user()
    make_membership(author, tree.project, Role.ENGINEER)
    tara = services.import_tara(actor=author, project_id=tree.project.pk, raw=REFERENCE.read_bytes())
    if submitted:
        tara = services.submit_for_review(actor=author, tara_id=tara.pk)
    return tara


def test_import_refusal_and_export_over_http() -> None:
    tree = make_tree()
    client = Client()
    client.force_login(make_admin())
    bad = client.post(
        f"/api/v1/projects/{tree.project.pk}/taras",
        {"file": SimpleUploadedFile("bad.yaml", b"opencsms: tara/1\nid: x\nname: [unclosed\n")},
    )
    assert bad.status_code == 422
    assert "bad.yaml:4:1: yaml-syntax" in bad.json()["detail"]
    with REFERENCE.open("rb") as file:
        created = client.post(f"/api/v1/projects/{tree.project.pk}/taras", {"file": file})
    assert created.status_code == 201
    body = created.json()
    assert (body["ref"], body["state"], body["summary"]["counts"]["threat_scenarios"]) == (
        "connected-ev",
        "draft",
        60,
    )
    exported = client.get(f"/api/v1/taras/{body['id']}/export")
    assert exported["Content-Type"].startswith("application/yaml")
    assert exported.content.startswith(b"opencsms: tara/1\nid: connected-ev\n")
    report = client.get(f"/api/v1/taras/{body['id']}/report?format=xlsx")
    assert report.content[:2] == b"PK"
    pdf = client.get(f"/api/v1/taras/{body['id']}/report?format=pdf")
    assert pdf["Content-Type"] == "application/pdf"
    named = f'filename="connected-ev-r1-draft-{body["content_sha256"][:8]}.pdf"'
    assert named in pdf["Content-Disposition"]
    assert pdf.content.startswith(b"%PDF-")
    assert client.get(f"/api/v1/taras/{body['id']}/report?format=docx").status_code == 422


def test_threat_list_filters_sorts_and_pages() -> None:
    tree = make_tree()
    tara = _tara(tree, submitted=False)
    client = Client()
    client.force_login(make_admin())
    url = f"/api/v1/taras/{tara.pk}/elements/threat_scenarios"
    page = client.get(url, {"sort": "-risk", "limit": 10}).json()
    risks = [item["risk"] for item in page["items"]]
    assert page["count"] == 60
    assert len(risks) == 10
    assert risks == sorted(risks, reverse=True)
    high = client.get(url, {"risk_min": 5, "limit": 100}).json()
    assert high["count"] == tara.summary["risk"]["5"]
    assert client.get(url, {"sort": "nonsense"}).status_code == 422


def _count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_element_list_takes_the_same_queries_for_1_and_20_rows() -> None:
    tree = make_tree()
    tara = _tara(tree, submitted=False)
    client = Client()
    client.force_login(make_admin())
    url = f"/api/v1/taras/{tara.pk}/elements/threat_scenarios"
    assert _count_queries(client, url + "?limit=1") == _count_queries(client, url + "?limit=20")
