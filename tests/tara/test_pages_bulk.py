"""Bulk work on the TARA lists through the test client: tick boxes and "all matching the filter", the bulk
edit form (saved, refused as a whole), CSV/XLSX downloads of the filtered list, the generation page's
likely duplicates and its decisions on all matching proposals, and the pending proposals on the overview,
the project's TARA list and the dashboard."""

from __future__ import annotations

import csv
import html
import io

import pytest
from openpyxl import load_workbook

from opencsms.core.audit import AuditAction
from opencsms.core.models import ChangeRecord
from opencsms.tara import services
from opencsms.tara.models import Element, Kind, Tara
from tests.factories.workspace import Workspace

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}
THREATS = Kind.THREAT_SCENARIO


def _generate(workspace: Workspace) -> list[str]:
    services.generate_threats(actor=workspace.users["engineer"], tara_id=workspace.tara.pk, with_paths=True)
    found = Element.objects.filter(tara=workspace.tara, kind=THREATS, status="proposed").order_by("position")
    return list(found.values_list("ref", flat=True))


def test_tick_boxes_and_bulk_form_for_editors_only(workspace: Workspace) -> None:
    url = f"/taras/{workspace.tara.pk}/threat_scenarios/"
    page = workspace.client("engineer").get(url).content.decode()
    assert 'data-testid="bulk-form"' in page
    assert 'name="refs" value="TS-01"' in page
    assert 'data-testid="all-matching"' in page
    assert "Choose all 60 threat scenarios matching the filter" in page
    reader = workspace.client("auditor").get(url).content.decode()
    assert 'data-testid="bulk-form"' not in reader
    assert 'name="refs"' not in reader
    assets = workspace.client("engineer").get(f"/taras/{workspace.tara.pk}/assets/").content.decode()
    assert 'name="refs" value="A-01"' in assets
    assert 'data-testid="bulk-delete"' in assets
    assert 'data-testid="bulk-status"' not in assets  # no field of an asset means the same for many
    assert 'data-testid="export-xlsx"' in assets


def test_the_bulk_form_saves_the_ticked_and_returns_to_the_filtered_list(workspace: Workspace) -> None:
    client, tara = workspace.client("engineer"), workspace.tara
    response = client.post(
        f"/taras/{tara.pk}/threat_scenarios/bulk/",
        {"refs": ["TS-01", "TS-02"], "decision": "share", "set_status": "", "q": "TS-0", "sort": "ref"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/taras/{tara.pk}/threat_scenarios/?q=TS-0&sort=ref"
    stored = dict(
        Element.objects.filter(tara=tara, ref__in=["TS-01", "TS-02", "TS-03"]).values_list("ref", "status")
    )
    assert stored["TS-01"] == stored["TS-02"] == "share"
    assert stored["TS-03"] != "share"


def test_all_matching_applies_to_every_page_of_the_filter(workspace: Workspace) -> None:
    proposals = _generate(workspace)
    assert len(proposals) > 50  # more than one page
    client, tara = workspace.client("engineer"), workspace.tara
    response = client.post(
        f"/taras/{tara.pk}/threat_scenarios/bulk/",
        {"all_matching": "on", "status": "proposed", "set_status": "accepted"},
    )
    assert response.status_code == 302
    assert not Element.objects.filter(tara=tara, kind=THREATS, status="proposed").exists()
    assert Tara.objects.get(pk=tara.pk).summary["pending"] == 0


def test_a_refused_bulk_edit_names_the_element_and_changes_nothing(workspace: Workspace) -> None:
    proposals = _generate(workspace)
    client, tara = workspace.client("engineer"), workspace.tara
    before = dict(Element.objects.filter(tara=tara, kind=THREATS).values_list("ref", "data"))
    refused = client.post(
        f"/taras/{tara.pk}/threat_scenarios/bulk/",
        {"refs": ["TS-01", proposals[0]], "decision": "avoid"},
        **HX,
    ).content.decode()
    assert f"{proposals[0]}: it is proposed: only an accepted threat scenario gets a treatment decision" in (
        html.unescape(refused)
    )
    nothing = client.post(f"/taras/{tara.pk}/threat_scenarios/bulk/", {"decision": "avoid"}, **HX)
    assert "tick at least one threat scenario, or choose all matching the filter" in nothing.content.decode()
    assert dict(Element.objects.filter(tara=tara, kind=THREATS).values_list("ref", "data")) == before


def test_the_downloads_hold_the_filtered_sorted_list(workspace: Workspace) -> None:
    client, tara = workspace.client("auditor"), workspace.tara
    query = "?risk_min=4&sort=-risk&page=2"
    listed = list(
        Element.objects.filter(tara=tara, kind=THREATS, risk__gte=4)
        .order_by("-risk", "position")
        .values_list("ref", "risk")
    )
    page = client.get(f"/taras/{tara.pk}/threat_scenarios/{query}", **HX).content.decode()
    assert f'href="/taras/{tara.pk}/threat_scenarios/export.xlsx?risk_min=4&amp;sort=-risk"' in page
    made = client.get(f"/taras/{tara.pk}/threat_scenarios/export.csv?risk_min=4&sort=-risk")
    assert made["Content-Disposition"] == 'attachment; filename="connected-ev-threat_scenarios.csv"'
    rows = list(csv.reader(io.StringIO(made.content.decode())))
    assert rows[0] == ["id", "name", "feasibility", "impact", "risk", "residual_risk", "cal", "status"]
    assert [(r[0], int(r[4])) for r in rows[1:]] == listed
    book = client.get(f"/taras/{tara.pk}/threat_scenarios/export.xlsx?risk_min=4&sort=-risk").content
    sheet = load_workbook(io.BytesIO(book)).active
    assert sheet is not None
    assert [(r[0], r[4]) for r in sheet.iter_rows(min_row=2, values_only=True)] == listed
    assert client.get(f"/taras/{tara.pk}/threat_scenarios/export.pdf").status_code == 422


def test_a_formula_never_reaches_a_spreadsheet(workspace: Workspace) -> None:
    services.update_element(
        actor=workspace.users["engineer"], tara_id=workspace.tara.pk, kind="assets", ref="A-01",
        changes={"name": "=HYPERLINK(\"http://x\")"},
    )  # fmt: skip
    made = workspace.client("engineer").get(f"/taras/{workspace.tara.pk}/assets/export.csv?q=A-01")
    assert "'=HYPERLINK" in made.content.decode()


def test_generation_flags_likely_duplicates_and_decides_all_matching(workspace: Workspace) -> None:
    proposals = _generate(workspace)
    client, tara = workspace.client("engineer"), workspace.tara
    page = html.unescape(client.get(f"/taras/{tara.pk}/generation/?state=proposed").content.decode())
    assert 'data-testid="duplicate"' in page
    assert "likely duplicate of" in page
    assert "same asset A-01, same property integrity" in page
    assert f"Choose all {len(proposals)} generated threat scenarios matching the filter" in page
    response = client.post(
        f"/taras/{tara.pk}/generation/decide/",
        {"all_matching": "on", "state": "proposed", "q": "REMOTE", "status": "accepted"},
    )
    assert response["Location"] == f"/taras/{tara.pk}/generation/?state=proposed&q=REMOTE"
    labels = dict(Element.objects.filter(tara=tara, ref__in=proposals).values_list("ref", "label"))
    remote = [ref for ref in proposals if "remote" in f"{ref} {labels[ref]}".lower()]
    statuses = dict(Element.objects.filter(tara=tara, ref__in=proposals).values_list("ref", "data__status"))
    assert remote
    assert all(statuses[ref] == "accepted" for ref in remote)
    assert all(statuses[ref] == "proposed" for ref in proposals if ref not in remote)


def test_pending_proposals_are_shown_apart_from_the_risk_figures(workspace: Workspace) -> None:
    client, tara = workspace.client("engineer"), workspace.tara
    before = Tara.objects.get(pk=tara.pk).summary["high_risks"]
    proposals = _generate(workspace)
    overview = html.unescape(client.get(f"/taras/{tara.pk}/").content.decode())
    assert f'data-testid="high-risks">{before}<' in overview
    assert (
        f'Pending: <a href="/taras/{tara.pk}/threat_scenarios/?status=proposed">{len(proposals)} proposed'
        in (overview)
    )
    summary = Tara.objects.get(pk=tara.pk).summary
    least = summary["untreated_min_risk"]
    link = f"/taras/{tara.pk}/threat_scenarios/?status=untreated&risk_min={least}&sort=-risk"
    assert f'href="{link}"' in overview
    listing = client.get(f"/taras/{tara.pk}/threat_scenarios/?status=proposed").content.decode()
    assert f"{len(proposals)} proposed threat scenarios pending" in listing
    project = client.get(f"/projects/{workspace.tree.project.pk}/taras/").content.decode()
    assert f'data-testid="pending">{len(proposals)}<' in project
    board = client.get("/").content.decode()
    assert f'data-testid="pending">{len(proposals)}<' in board


def test_removing_the_chosen_is_all_or_nothing(workspace: Workspace) -> None:
    client, tara = workspace.client("engineer"), workspace.tara
    url = f"/taras/{tara.pk}/claims/bulk/"
    claims = list(
        Element.objects.filter(tara=tara, kind=Kind.CLAIM).order_by("position").values_list("ref", flat=True)
    )
    services.create_element(
        actor=workspace.users["engineer"],
        tara_id=tara.pk,
        kind="claims",
        data={"id": "CL-NEW", "text": "Spare"},
    )
    used = client.post(url, {"refs": ["CL-NEW", claims[0]], "delete": "on"}, **HX).content.decode()
    assert claims[0] in html.unescape(used)  # the engine names the reference that would dangle
    assert Element.objects.filter(tara=tara, ref__in=["CL-NEW", claims[0]]).count() == 2
    done = client.post(url, {"refs": ["CL-NEW"], "delete": "on", "q": "CL"})
    assert done["Location"] == f"/taras/{tara.pk}/claims/?q=CL"
    assert not Element.objects.filter(tara=tara, ref="CL-NEW").exists()
    positions = list(
        Element.objects.filter(tara=tara, kind=Kind.CLAIM)
        .order_by("position")
        .values_list("position", flat=True)
    )
    assert positions == list(range(len(claims)))
    record = ChangeRecord.objects.get(action=AuditAction.ELEMENT_DELETED)
    assert record.before == {"id": "CL-NEW", "text": "Spare"}
