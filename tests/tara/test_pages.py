"""The TARA workspace through the test client: pages, htmx partials, inline edits and errors."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from opencsms.tara.forms import ImportForm
from opencsms.tara.models import Element, Kind, State, Tara
from tests.factories.workspace import Workspace
from tests.paths import REFERENCE

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}
EASY = {
    "ap_elapsed_time": "one_day",
    "ap_specialist_expertise": "layman",
    "ap_knowledge_of_item": "public",
    "ap_window_of_opportunity": "unlimited",
    "ap_equipment": "standard",
}


def test_the_project_page_lists_its_taras_with_the_import_form(workspace: Workspace) -> None:
    path = f"/projects/{workspace.tree.project.pk}/taras/"
    partial = workspace.client("engineer").get(path, **HX).content.decode()
    assert "Connected EV reference vehicle - TARA" in partial
    assert 'data-testid="import-tara"' in partial
    assert "<html" not in partial
    assert 'data-testid="import-tara"' not in workspace.client("auditor").get(path, **HX).content.decode()
    page = workspace.client("engineer").get(f"/projects/{workspace.tree.project.pk}/").content.decode()
    assert f'hx-get="{path}"' in page


def test_an_import_that_the_engine_refuses_names_line_and_column(workspace: Workspace) -> None:
    client = workspace.client("engineer")
    bad = REFERENCE.read_bytes().replace(
        b"property: integrity\n    stride: T", b"property: integrity\n  stride: [", 1
    )
    upload = SimpleUploadedFile("bad.tara.yaml", bad)
    project = workspace.tree.project.pk
    response = client.post(
        f"/projects/{project}/taras/import/",
        {"file": upload},
        HTTP_REFERER=f"http://testserver/projects/{project}/",
    )
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "not a valid TARA" in page
    assert "bad.tara.yaml:375:3" in page  # file:line:column


def test_import_with_replace_makes_a_new_working_state(workspace: Workspace) -> None:
    client = workspace.client("engineer")
    upload = SimpleUploadedFile("ev.tara.yaml", REFERENCE.read_bytes())
    response = client.post(
        f"/projects/{workspace.tree.project.pk}/taras/import/", {"file": upload, "replace": "on"}
    )
    assert response.status_code == 302
    assert response.url == f"/taras/{workspace.tara.pk}/"


def test_a_large_file_is_queued_for_the_worker(workspace: Workspace, settings: Any) -> None:
    from opencsms.tara.models import ImportJob

    settings.TARA_SYNC_IMPORT_MAX_BYTES = 1000
    client = workspace.client("engineer")
    upload = SimpleUploadedFile("ev.tara.yaml", REFERENCE.read_bytes())
    project = workspace.tree.project.pk
    response = client.post(f"/projects/{project}/taras/import/", {"file": upload, "replace": "on"})
    assert (response.status_code, response.url) == (302, f"/projects/{project}/")
    job = ImportJob.objects.get()
    assert (job.status, job.replace, job.requested_by) == ("queued", True, workspace.users["engineer"])
    assert "the worker imports it" in client.get(response.url).content.decode()


def test_the_overview_shows_header_summary_heat_map_findings_and_review(workspace: Workspace) -> None:
    tara = workspace.tara
    page = workspace.client("engineer").get(f"/taras/{tara.pk}/").content.decode()
    for part in (
        "heat-map",
        "summary",
        "findings",
        "review",
        "baselines",
        "item",
        "history-slot",
        "downloads",
    ):
        assert f'data-testid="{part}"' in page
    assert tara.content_sha256[:12] in page
    assert "Submit for review" in page
    assert "Connected EV reference vehicle" in page


def test_downloads(workspace: Workspace) -> None:
    client = workspace.client("auditor")
    exported = client.get(f"/taras/{workspace.tara.pk}/export.yaml")
    assert exported["Content-Type"].startswith("application/yaml")
    assert b"opencsms: tara/1" in exported.content
    for fmt in ("html", "xlsx", "json", "md", "pdf"):
        assert client.get(f"/taras/{workspace.tara.pk}/report.{fmt}").status_code == 200
    assert client.get(f"/taras/{workspace.tara.pk}/report.docx").status_code == 422


def test_pdf_report_download(workspace: Workspace) -> None:
    client = workspace.client("auditor")
    overview = client.get(f"/taras/{workspace.tara.pk}/").content.decode()
    assert f'href="/taras/{workspace.tara.pk}/report.pdf"' in overview
    response = client.get(f"/taras/{workspace.tara.pk}/report.pdf")
    assert response["Content-Type"] == "application/pdf"
    tara = workspace.tara
    named = f'filename="{tara.ref}-r1-draft-{tara.content_sha256[:8]}.pdf"'
    assert named in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF-")
    text = PdfReader(BytesIO(response.content)).pages[0].extract_text()  # the cover, its contents listed
    assert "WP-15-07 Risk values" in text
    assert workspace.tara.name in text


def test_the_element_list_filters_sorts_and_pages_as_a_partial(workspace: Workspace) -> None:
    client = workspace.client("engineer")
    path = f"/taras/{workspace.tara.pk}/threat_scenarios/"
    page = client.get(path).content.decode()
    assert 'data-testid="filters"' in page
    assert 'hx-push-url="true"' in page
    partial = client.get(path, {"q": "TS-01", "sort": "-risk"}, **HX).content.decode()
    assert "<html" not in partial
    assert 'id="element-table"' in partial
    assert "TS-01" in partial
    assert "TS-02" not in partial
    high = client.get(path, {"risk_min": "5"}, **HX).content.decode()
    assert 'class="risk risk-4"' not in high
    count = Element.objects.filter(tara=workspace.tara, kind=Kind.THREAT_SCENARIO).count()
    if count > 50:
        assert 'data-testid="pager"' in client.get(path).content.decode()


def test_an_impact_edit_re_evaluates_and_returns_the_panel(workspace: Workspace) -> None:
    client = workspace.client("engineer")
    tara = workspace.tara
    before = Element.objects.get(tara=tara, kind=Kind.THREAT_SCENARIO, ref="TS-01").risk
    data = {
        "f_name": "Unintended hard braking at speed",
        "impact_safety": "negligible",
        "impact_operational": "negligible",
        "impact_financial": "negligible",
    }
    response = client.post(f"/taras/{tara.pk}/damage_scenarios/DS-01/edit/", data, follow=True, **HX)
    body = response.content.decode()
    assert 'id="element-panel"' in body
    assert "<html" not in body
    after = Element.objects.get(tara=tara, kind=Kind.THREAT_SCENARIO, ref="TS-01").risk
    assert after is not None
    assert before is not None
    assert after < before
    assert Tara.objects.get(pk=tara.pk).summary != tara.summary


def test_an_edit_the_engine_refuses_shows_its_message_inline(workspace: Workspace) -> None:
    client = workspace.client("engineer")
    tara = workspace.tara
    response = client.post(
        f"/taras/{tara.pk}/threat_scenarios/TS-01/edit/",
        {"f_name": "x", "f_damage_scenarios": "DS-NOPE"},
        HTTP_HX_TARGET="element-panel",
        **HX,
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#element-panel"
    assert "DS-NOPE" in response.content.decode()


def test_yaml_edit_create_and_delete(workspace: Workspace) -> None:
    client = workspace.client("engineer")
    tara = workspace.tara
    created = client.post(f"/taras/{tara.pk}/claims/new/", {"yaml": "id: CL-99\ntext: A new claim\n"})
    assert created.status_code == 302
    response = client.post(
        f"/taras/{tara.pk}/claims/CL-99/yaml/",
        {"yaml": "id: CL-99\ntext: Changed claim\n", "previous_keys": "id,text"},
        follow=True,
        **HX,
    )
    assert "Changed claim" in response.content.decode()
    bad = client.post(f"/taras/{tara.pk}/claims/CL-99/yaml/", {"yaml": "- not a mapping"}, **HX)
    assert "mapping" in bad.content.decode()
    assert client.post(f"/taras/{tara.pk}/claims/CL-99/delete/").status_code == 302
    assert not Element.objects.filter(tara=tara, ref="CL-99").exists()


def test_the_tree_editor_rates_a_step_and_shows_the_new_risk(workspace: Workspace) -> None:
    client = workspace.client("engineer")
    tara = workspace.tara
    detail = client.get(f"/taras/{tara.pk}/threat_scenarios/TS-01/").content.decode()
    assert 'data-testid="tree"' in detail
    assert "AND" in detail
    assert 'data-testid="path-feasibility"' in detail
    hard = {
        "ap_elapsed_time": "beyond_six_months",
        "ap_specialist_expertise": "multiple_experts",
        "ap_knowledge_of_item": "strictly_confidential",
        "ap_window_of_opportunity": "difficult",
        "ap_equipment": "multiple_bespoke",
    }
    before = Element.objects.get(tara=tara, kind=Kind.THREAT_SCENARIO, ref="TS-01").risk
    for at in ("1", "2"):
        response = client.post(
            f"/taras/{tara.pk}/threat_scenarios/TS-01/tree/edit/",
            {"op": "rate", "path": "AP-01a", "at": at, **hard},
            follow=True,
            **HX,
        )
    body = response.content.decode()
    assert 'id="tree"' in body
    assert 'hx-swap-oob="true"' in body
    after = Element.objects.get(tara=tara, kind=Kind.THREAT_SCENARIO, ref="TS-01")
    assert (
        after.data["attack_paths"][0]["tree"]["and"][1]["attack_potential"]["equipment"] == "multiple_bespoke"
    )
    assert after.risk is not None
    assert before is not None
    assert after.risk <= before


@pytest.mark.parametrize(
    ("op", "extra"),
    [
        ("add_step", {"name": "New step", **EASY}),
        ("add_gate", {"name": "Sub", "gate": "and", "step": "s", **EASY}),
        ("set_gate", {"gate": "or"}),
        ("down", {}),
        ("remove", {}),
    ],
)
def test_tree_operations(workspace: Workspace, op: str, extra: dict[str, str]) -> None:
    client = workspace.client("engineer")
    at = "" if op in ("add_step", "add_gate", "set_gate") else "0"
    response = client.post(
        f"/taras/{workspace.tara.pk}/threat_scenarios/TS-01/tree/edit/",
        {"op": op, "path": "AP-01a", "at": at, **extra},
        follow=True,
        **HX,
    )
    assert response.status_code == 200
    assert 'id="tree"' in response.content.decode()
    assert 'role="alert"' not in response.content.decode()


def test_review_baseline_approve_and_diff(workspace: Workspace) -> None:
    engineer, reviewer = workspace.client("engineer"), workspace.client("reviewer")
    tara = workspace.tara
    assert engineer.post(f"/taras/{tara.pk}/baselines/", {"name": "before review"}).status_code == 302
    assert engineer.post(f"/taras/{tara.pk}/submit/", {"note": "please"}).status_code == 302
    tara.refresh_from_db()
    assert tara.state == State.IN_REVIEW
    edit = engineer.post(
        f"/taras/{tara.pk}/claims/CL-01/yaml/",
        {"yaml": "id: CL-01\ntext: x\n"},
        HTTP_HX_TARGET="element-panel",
        **HX,
    )
    assert "in review" in edit.content.decode()
    refused = reviewer.post(f"/taras/{tara.pk}/approve/", {"content_sha256": "0" * 64}, follow=True)
    assert "changed since you opened it" in refused.content.decode()
    approved = reviewer.post(
        f"/taras/{tara.pk}/approve/", {"content_sha256": tara.content_sha256}, follow=True
    )
    assert "Approved" in approved.content.decode()
    tara.refresh_from_db()
    assert tara.state == State.APPROVED
    old, new = (f"baseline:{b.pk}" for b in tara.baselines.order_by("pk"))
    diff = reviewer.get(f"/taras/{tara.pk}/diff/", {"old": old, "new": new}).content.decode()
    assert 'data-testid="diff"' in diff
    assert "No element changed" in diff


def test_four_eyes_refusal_is_shown(workspace: Workspace) -> None:
    manager = workspace.client("cybersecurity_manager")
    tara = workspace.tara
    manager.post(f"/taras/{tara.pk}/submit/")
    response = manager.post(
        f"/taras/{tara.pk}/approve/", {"content_sha256": tara.content_sha256}, follow=True
    )
    assert "four eyes" in response.content.decode()


def test_return_to_draft_needs_a_reason(workspace: Workspace) -> None:
    tara = workspace.tara
    workspace.client("engineer").post(f"/taras/{tara.pk}/submit/")
    refused = workspace.client("reviewer").post(f"/taras/{tara.pk}/return/", {"reason": ""}, follow=True)
    assert "reason" in refused.content.decode()
    workspace.client("reviewer").post(f"/taras/{tara.pk}/return/", {"reason": "rate TS-01 again"})
    tara.refresh_from_db()
    assert tara.state == State.DRAFT


def test_the_item_definition_is_edited(workspace: Workspace) -> None:
    tara = workspace.tara
    functions = tara.header["item"]["functions"]
    data = {"name": "Renamed item", "description": "d", "functions": yaml.safe_dump(functions)}
    assert workspace.client("engineer").post(f"/taras/{tara.pk}/item/", data).status_code == 302
    tara.refresh_from_db()
    assert tara.header["item"] == {"name": "Renamed item", "description": "d", "functions": functions}
    data["functions"] = "- {id: F-01, name: Propulsion}"
    refused = workspace.client("engineer").post(f"/taras/{tara.pk}/item/", data, follow=True)
    assert "F-07" in refused.content.decode()  # components still refer to it: the engine's message


def test_the_dashboard_shows_taras_and_approvals_waiting(workspace: Workspace) -> None:
    workspace.client("engineer").post(f"/taras/{workspace.tara.pk}/submit/")
    page = workspace.client("reviewer").get("/").content.decode()
    assert 'data-testid="approvals"' in page
    assert "Connected EV reference vehicle - TARA" in page
    other = workspace.tree.other_organisation.pk
    narrowed = workspace.client("superuser").get("/", {"scope": f"organisation:{other}"}).content.decode()
    assert "Inverter" not in narrowed


def test_the_tree_partial_and_page(workspace: Workspace) -> None:
    client = workspace.client("engineer")
    path = f"/taras/{workspace.tara.pk}/threat_scenarios/TS-01/tree/"
    partial = client.get(path, **HX).content.decode()
    assert partial.count('id="yaml-editor"') == 1
    assert 'hx-swap-oob="true"' in partial
    page = client.get(path).content.decode()
    assert page.count('id="yaml-editor"') == 1
    assert 'hx-swap-oob="true"' not in page


def test_an_htmx_error_without_a_target_is_an_error_toast(workspace: Workspace) -> None:
    response = workspace.client("engineer").post(f"/taras/{workspace.tara.pk}/claims/CL-01/delete/", **HX)
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#toasts"
    assert response["HX-Reswap"] == "beforeend"
    assert "toast-error" in response.content.decode()


def test_the_diff_shows_item_and_risk_changes_between_a_baseline_and_working(workspace: Workspace) -> None:
    client = workspace.client("engineer")
    tara = workspace.tara
    client.post(f"/taras/{tara.pk}/baselines/", {"name": "before"})
    impact = {"f_name": "Unintended hard braking at speed", "impact_safety": "negligible"}
    client.post(f"/taras/{tara.pk}/damage_scenarios/DS-01/edit/", impact)
    functions = yaml.safe_dump(tara.header["item"]["functions"])
    client.post(f"/taras/{tara.pk}/item/", {"name": "Renamed item", "functions": functions})
    baseline = tara.baselines.get()
    diff = client.get(f"/taras/{tara.pk}/diff/", {"old": f"baseline:{baseline.pk}"}, **HX).content.decode()
    assert "From <strong>before (r1)</strong> to <strong>Working state</strong>" in diff
    assert 'data-testid="risk-changes"' in diff
    assert "Renamed item" in diff
    assert f'href="/taras/{tara.pk}/damage_scenarios/DS-01/"' in diff


def test_an_import_without_a_file_or_too_big_is_refused(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = workspace.client("engineer")
    path = f"/projects/{workspace.tree.project.pk}/taras/import/"
    refused = client.post(path, {}, **HX)
    assert "file: This field is required." in refused.content.decode()
    monkeypatch.setattr(ImportForm.base_fields["file"], "max_bytes", 10)
    upload = SimpleUploadedFile("ev.tara.yaml", REFERENCE.read_bytes())
    too_big = client.post(path, {"file": upload}, **HX)
    assert "at most 10 are read" in too_big.content.decode()
