"""The analysis pages of a TARA through the test client: the architecture picture, threat generation with
decisions, attack paths with highlighted pictures and their conversion into attack trees, UN R155 Annex 5
coverage (who may call each page and action: the permission matrix, tests/config/permissions)."""

from __future__ import annotations

import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from opencsms.core.audit import AuditAction
from opencsms.core.models import ChangeRecord
from opencsms.organisation.models import Role
from opencsms.tara.models import Element, Kind, RuleFile
from tests.factories.core import make_user
from tests.factories.organisation import make_membership
from tests.factories.tara import FIRMWARE_RULE
from tests.factories.workspace import Workspace

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def test_the_architecture_page_draws_components_buses_and_entry_points(workspace: Workspace) -> None:
    page = workspace.client("auditor").get(f"/taras/{workspace.tara.pk}/architecture/").content.decode()
    svg = page[page.index("<svg") : page.index("</svg>")]
    for node in ("component:TCU", "component:CGW", "entry:CELL", "bus:ETH-BB"):
        assert f'data-node="{node}"' in svg
    assert 'data-testid="entry-points"' in page
    assert "<script" not in svg
    assert "style=" not in svg


def test_generation_proposes_then_a_rejection_survives_regeneration(workspace: Workspace) -> None:
    client, tara = workspace.client("engineer"), workspace.tara
    page = client.get(f"/taras/{tara.pk}/generation/").content.decode()
    proposed = int(re.search(r'data-testid="plan-add">(\d+)<', page).group(1))  # type: ignore[union-attr]
    assert proposed > 0
    assert client.post(f"/taras/{tara.pk}/generation/run/").status_code == 302
    generated = Element.objects.filter(tara=tara, kind=Kind.THREAT_SCENARIO, ref__startswith="G-")
    assert generated.count() == proposed
    two = list(generated.order_by("position").values_list("ref", flat=True)[:2])
    refused = client.post(
        f"/taras/{tara.pk}/generation/decide/", {"refs": two, "status": "rejected"}, **HX
    ).content.decode()
    assert "a rejection needs a rationale" in refused
    done = client.post(
        f"/taras/{tara.pk}/generation/decide/",
        {"refs": two, "status": "rejected", "rationale": "the port is fused off", "state": "proposed"},
    )
    assert (done.status_code, done.url) == (302, f"/taras/{tara.pk}/generation/?state=proposed")
    rejected = client.get(f"/taras/{tara.pk}/generation/?state=rejected", **HX).content.decode()
    assert all(f'data-ref="{ref}"' in rejected for ref in two)
    assert "the port is fused off" in rejected
    assert "<html" not in rejected
    assert client.post(f"/taras/{tara.pk}/generation/run/").status_code == 302
    for ref in two:
        kept = Element.objects.get(tara=tara, kind=Kind.THREAT_SCENARIO, ref=ref)
        assert (kept.data["status"], kept.data["rationale"]) == ("rejected", "the port is fused off")
    decided = ChangeRecord.objects.filter(action=AuditAction.ELEMENT_CHANGED, object_repr__contains="G-")
    assert decided.count() == 2


def test_the_paths_page_highlights_each_path_and_adds_them_as_trees(workspace: Workspace) -> None:
    client, tara = workspace.client("engineer"), workspace.tara
    page = client.get(f"/taras/{tara.pk}/attack-paths/?asset=A-01&k=3").content.decode()
    assert page.count('data-testid="path"') == 3
    first = page[page.index('data-rank="1"') : page.index('data-rank="2"')]
    assert "CELL → TCU" in first
    assert first.count('class="hop"') == 2  # the attacker reaches CELL, then TCU over it
    partial = client.get(f"/taras/{tara.pk}/attack-paths/?asset=A-01&k=1", **HX).content.decode()
    assert partial.count('data-testid="path"') == 1
    assert "<html" not in partial
    before = len(Element.objects.get(tara=tara, ref="TS-08").data["attack_paths"])
    response = client.post(f"/taras/{tara.pk}/attack-paths/attach/", {"threat": "TS-08", "k": "2"})
    assert response.url == f"/taras/{tara.pk}/threat_scenarios/TS-08/"
    paths = Element.objects.get(tara=tara, ref="TS-08").data["attack_paths"]
    assert len(paths) == before + 2
    assert [p["id"] for p in paths[before:]] == ["TS-08.AP1", "TS-08.AP2"]
    detail = client.get(response.url).content.decode()
    assert "TS-08.AP1" in detail
    assert 'data-testid="paths-from-architecture"' in detail


def test_an_unknown_asset_or_k_is_refused_with_a_message(workspace: Workspace) -> None:
    client, tara = workspace.client("engineer"), workspace.tara
    unknown = html.unescape(client.get(f"/taras/{tara.pk}/attack-paths/?asset=NOPE", **HX).content.decode())
    assert "asset 'NOPE' does not exist or has no component" in unknown
    too_many = client.get(f"/taras/{tara.pk}/attack-paths/?asset=A-01&k=11", **HX).content.decode()
    assert "k:" in too_many
    assert "10" in too_many


def test_annex5_coverage_lists_every_threat_and_records_not_applicable(workspace: Workspace) -> None:
    client, tara = workspace.client("engineer"), workspace.tara
    page = client.get(f"/taras/{tara.pk}/annex5/").content.decode()
    assert page.count('<tr id="annex5-') >= 70  # every Part A threat, and the mitigations
    assert 'data-testid="count-uncovered"><span class="badge status-uncovered">0<' in page
    response = client.post(
        f"/taras/{tara.pk}/annex5/not-applicable/", {"annex5": "14.2", "rationale": "not in this item"}
    )
    assert response.url == f"/taras/{tara.pk}/annex5/#annex5-14.2"
    row = client.get(f"/taras/{tara.pk}/annex5/?state=not_applicable", **HX).content.decode()
    assert 'data-id="14.2"' in row
    assert "not in this item" in row


def test_an_organisations_rule_files_on_its_page(workspace: Workspace) -> None:
    org = workspace.tree.organisation.pk
    admin = workspace.client("superuser")
    org_auditor = make_user("org-auditor")
    make_membership(org_auditor, workspace.tree.organisation, Role.AUDITOR)
    reader = Client()
    reader.force_login(org_auditor)
    page = admin.get(f"/organisations/{org}/").content.decode()
    assert f'hx-get="/organisations/{org}/threat-rules/"' in page
    section = admin.get(f"/organisations/{org}/threat-rules/", **HX).content.decode()
    assert "OpenCSMS automotive threat rules" in section
    assert 'data-testid="rule-upload"' in section
    raw = FIRMWARE_RULE.format(version="3").encode()
    done = admin.post(
        f"/organisations/{org}/threat-rules/add/", {"file": SimpleUploadedFile("acme.yaml", raw)}
    )
    assert done.url == f"/organisations/{org}/threat-rules/"
    listed = admin.get(done.url).content.decode()
    assert 'data-urn="urn:opencsms:rules:acme"' in listed
    assert "Threat rules ACME rules 3: 1 rules." in listed
    rule_file = RuleFile.objects.get()
    assert admin.get(f"/threat-rules/{rule_file.pk}.yaml").content == raw
    bad = SimpleUploadedFile("bad.yaml", raw.replace(b"[firmware]", b"[firmwar]"))
    refused = admin.post(f"/organisations/{org}/threat-rules/add/", {"file": bad}, **HX).content.decode()
    assert "not declared" in html.unescape(refused)
    auditor = reader.get(f"/organisations/{org}/threat-rules/", **HX).content.decode()
    assert 'data-urn="urn:opencsms:rules:acme"' in auditor
    assert 'data-testid="rule-upload"' not in auditor
    assert reader.post(f"/threat-rules/{rule_file.pk}/delete/").status_code == 403
    assert workspace.client("engineer").get(f"/threat-rules/{rule_file.pk}.yaml").status_code == 404
    assert admin.post(f"/threat-rules/{rule_file.pk}/delete/").status_code == 302
    assert not RuleFile.objects.exists()
