"""The TARA API: a role x endpoint permission matrix, import/export over HTTP, pages and query counts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from opencsms.core.models import User
from opencsms.organisation.models import Role
from opencsms.tara import services
from opencsms.tara.models import Tara
from tests.factories.core import make_admin, make_user
from tests.factories.organisation import Tree, make_membership, make_tree
from tests.integration.tara.conftest import REFERENCE

pytestmark = pytest.mark.django_db

Call = Callable[[Client, Tara], Any]
T = "/api/v1/taras/{tara.pk}"


def _call(method: str, path: str, data: dict[str, Any] | None = None) -> Call:
    def call(client: Client, tara: Tara) -> Any:
        body = {k: (v.format(tara=tara) if isinstance(v, str) else v) for k, v in (data or {}).items()}
        return getattr(client, method)(path.format(tara=tara), data=body, content_type="application/json")

    return call


def _import(client: Client, tara: Tara) -> Any:
    with REFERENCE.open("rb") as file:
        return client.post(f"/api/v1/projects/{tara.project_id}/taras", {"file": file, "replace": "true"})


ENDPOINTS: dict[str, Call] = {
    "list taras": _call("get", "/api/v1/projects/{tara.project_id}/taras"),
    "get tara": _call("get", T),
    "export": _call("get", T + "/export"),
    "list threats": _call("get", T + "/elements/threat_scenarios?limit=5"),
    "import (replace)": _import,
    "change asset": _call("patch", T + "/elements/assets/A-01", {"changes": {"name": "Renamed"}}),
    "submit": _call("post", T + "/submit", {"note": ""}),
    "approve": _call("post", T + "/approve", {"content_sha256": "{tara.content_sha256}"}),
    "create baseline": _call("post", T + "/baselines", {"name": "b1"}),
}

# Roles held at the business unit (the supplier guest at the project); "approve" runs on a TARA that an
# engineer submitted; the other endpoints on a draft.
EXPECTED: dict[str, tuple[int, ...]] = {
    "administrator": (200, 200, 200, 200, 201, 200, 200, 201, 201),
    "cybersecurity_manager": (200, 200, 200, 200, 201, 200, 200, 201, 201),
    "engineer": (200, 200, 200, 200, 201, 200, 200, 403, 201),
    "reviewer": (200, 200, 200, 200, 403, 403, 403, 201, 201),
    "auditor": (200, 200, 200, 200, 403, 403, 403, 403, 403),
    "supplier_guest": (200, 200, 200, 200, 403, 403, 403, 403, 403),
    "no membership": (200, 404, 404, 404, 404, 404, 404, 404, 404),
    "superuser": (200, 200, 200, 200, 201, 200, 200, 201, 201),
}
MATRIX = [
    pytest.param(who, endpoint, statuses[index], id=f"{who}-{endpoint}")
    for who, statuses in EXPECTED.items()
    for index, endpoint in enumerate(ENDPOINTS)
]


def _tara(tree: Tree, submitted: bool) -> Tara:
    author = make_user()
    make_membership(author, tree.project, Role.ENGINEER)
    tara = services.import_tara(actor=author, project_id=tree.project.pk, raw=REFERENCE.read_bytes())
    if submitted:
        tara = services.submit_for_review(actor=author, tara_id=tara.pk)
    return tara


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
    tara = _tara(tree, submitted=endpoint == "approve")
    client = Client()
    client.force_login(_user(who, tree))
    response = ENDPOINTS[endpoint](client, tara)
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert {"code", "detail"} <= response.json().keys()
    if endpoint == "list taras" and who == "no membership":
        assert response.json() == []


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
    assert 'filename="connected-ev.pdf"' in pdf["Content-Disposition"]
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
