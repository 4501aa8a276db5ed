"""The analysis endpoints of the TARA API: threat generation (preview and apply), decisions, attack paths
(and turning them into attack trees), UN R155 Annex 5 coverage: what they answer (who may call them:
tests/config/permissions)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from opencsms.organisation.models import Role
from opencsms.tara.models import Element, Tara
from tests.factories.core import make_admin, make_user
from tests.factories.organisation import make_membership, make_tree
from tests.factories.tara import FIRMWARE_RULE
from tests.tara.test_api import _tara

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_and_tara() -> tuple[Client, Tara]:
    tara = _tara(make_tree(), submitted=False)
    client = Client()
    client.force_login(make_admin())
    return client, tara


def test_preview_writes_nothing_and_generation_applies_it(admin_and_tara: tuple[Client, Tara]) -> None:
    client, tara = admin_and_tara
    preview = client.get(f"/api/v1/taras/{tara.pk}/generation").json()
    assert preview["added"]
    assert preview["obsolete"] == preview["revived"] == []
    assert not Element.objects.filter(tara=tara, ref__startswith="G-").exists()
    applied = client.post(f"/api/v1/taras/{tara.pk}/generation").json()
    assert applied == preview
    stored = set(Element.objects.filter(tara=tara, ref__startswith="G-").values_list("ref", flat=True))
    assert stored == set(preview["added"])
    two = preview["added"][:2]
    refused = client.post(
        f"/api/v1/taras/{tara.pk}/threat-decisions", {"refs": two, "status": "rejected"}, "application/json"
    )
    assert (refused.status_code, refused.json()["code"]) == (422, "invalid")
    decided = client.post(
        f"/api/v1/taras/{tara.pk}/threat-decisions",
        {"refs": two, "status": "rejected", "rationale": "out of scope"},
        "application/json",
    ).json()
    assert [(d["ref"], d["data"]["status"], d["data"]["rationale"]) for d in decided] == [
        (ref, "rejected", "out of scope") for ref in two
    ]
    assert client.get(f"/api/v1/taras/{tara.pk}/generation").json()["added"] == []


def test_paths_per_asset_and_attached_as_trees(admin_and_tara: tuple[Client, Tara]) -> None:
    client, tara = admin_and_tara
    every = client.get(f"/api/v1/taras/{tara.pk}/attack-paths").json()
    assert len(every) == 46
    assert all(len(a["paths"]) == 1 for a in every)
    [one] = client.get(f"/api/v1/taras/{tara.pk}/attack-paths", {"asset": "A-01", "k": 3}).json()
    assert (one["asset"], one["component"], one["threats"]) == ("A-01", "TCU", ["TS-08"])
    assert [p["rank"] for p in one["paths"]] == [1, 2, 3]
    assert one["paths"][0]["route"] == "CELL → TCU"
    assert one["paths"][0]["vector"] == "network"
    potentials = [p["potential"] for p in one["paths"]]
    assert potentials == sorted(potentials)
    bad = client.get(f"/api/v1/taras/{tara.pk}/attack-paths", {"asset": "A-01", "k": 11})
    assert bad.status_code == 422
    added = client.post(
        f"/api/v1/taras/{tara.pk}/threat_scenarios/TS-08/attack-paths", {"k": 2}, "application/json"
    ).json()
    assert added["added"] == ["TS-08.AP1", "TS-08.AP2"]
    assert [p["id"] for p in added["threat"]["data"]["attack_paths"]][-2:] == added["added"]


def test_annex5_coverage_counts_and_rows(admin_and_tara: tuple[Client, Tara]) -> None:
    client, tara = admin_and_tara
    body = client.get(f"/api/v1/taras/{tara.pk}/annex5").json()
    assert body["counts"] == {"uncovered": 0, "pending": 0, "covered": 64, "not_applicable": 6}
    assert body["required"] == 70
    by_id = {t["id"]: t for t in body["threats"]}
    assert by_id["1.1"]["status"] == "covered"
    assert by_id["1.1"]["threats"] == ["TS-15", "TS-19"]
    assert by_id["1.3"]["status"] == "not_applicable"
    assert by_id["1.3"]["rationale"]
    assert {m["status"] for m in body["mitigations"]} <= {"implemented", "not_applicable", "missing"}


def test_rule_files_over_the_api() -> None:
    tree = make_tree()
    org = tree.organisation.pk
    admin, auditor = Client(), Client()
    admin.force_login(make_admin())
    org_auditor = make_user()
    make_membership(org_auditor, tree.organisation, Role.AUDITOR)
    auditor.force_login(org_auditor)
    raw = FIRMWARE_RULE.format(version="1").encode()
    refused = auditor.post(
        f"/api/v1/organisations/{org}/threat-rules", {"file": SimpleUploadedFile("a.yaml", raw)}
    )
    assert refused.status_code == 403
    created = admin.post(
        f"/api/v1/organisations/{org}/threat-rules", {"file": SimpleUploadedFile("a.yaml", raw)}
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["urn"], body["rules"], body["content"]) == ("urn:opencsms:rules:acme", 1, raw.decode())
    listed = auditor.get(f"/api/v1/organisations/{org}/threat-rules").json()
    assert [f["urn"] for f in listed] == ["urn:opencsms:rules:acme"]
    assert "content" not in listed[0]
    bad = admin.post(
        f"/api/v1/organisations/{org}/threat-rules",
        {"file": SimpleUploadedFile("b.yaml", raw.replace(b"ACME-FW-ROLLBACK", b"STRIDE-T"))},
    )
    assert (bad.status_code, "already defined" in bad.json()["detail"]) == (422, True)
    assert auditor.delete(f"/api/v1/threat-rules/{body['id']}").status_code == 403
    assert admin.delete(f"/api/v1/threat-rules/{body['id']}").status_code == 204
    assert admin.get(f"/api/v1/threat-rules/{body['id']}").status_code == 404
