"""References and traceability in the server: the delete refusal names each referring element once, the
element page's "refers to" and "used by", the matrix page and its downloads, and the API."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import openpyxl
import pytest

from opencsms.core.errors import Invalid
from opencsms.core.models import User
from opencsms.tara import services
from opencsms.tara.models import Element, Tara
from tests.factories.workspace import Workspace
from tests.tara.conftest import Team
from tests.tara.test_query_counts import engineer_with_project, import_doc, queries

pytestmark = pytest.mark.django_db
REFERRERS = ["TS-01", "TS-03", "TS-04", "TS-36", "CR-01", "CR-02"]


def test_deleting_a_goal_in_use_names_each_referring_element_once(team: Team, reference: Tara) -> None:
    with pytest.raises(Invalid) as refused:
        services.delete_element(actor=team.engineer, tara_id=reference.pk, kind="goals", ref="CG-01")
    detail = refused.value.detail
    assert detail.startswith("CG-01 cannot be deleted while 6 element(s) refer to it: ")
    assert [detail.count(f"{ref} (") for ref in REFERRERS] == [1] * 6
    assert "TS-01 (threat scenario: treatment.goals)" in detail
    assert "CR-01 (requirement: goals)" in detail
    assert detail.count("is not defined") == 0  # the engine's per-reference message is not repeated
    assert Element.objects.filter(tara=reference, kind="goals", ref="CG-01").exists()


def test_the_element_page_shows_what_it_refers_to_and_what_uses_it(workspace: Workspace) -> None:
    t = workspace.tara.pk
    page = workspace.client("engineer").get(f"/taras/{t}/goals/CG-01/").content.decode()
    used_by = page.split('data-testid="used-by"')[1].split("</section>")[0]
    for ref in REFERRERS:
        kind = "threat_scenarios" if ref.startswith("TS") else "requirements"
        assert used_by.count(f'href="/taras/{t}/{kind}/{ref}/"') == 1
    assert 'data-testid="delete-blocked"' in page
    threat = workspace.client("auditor").get(f"/taras/{t}/threat_scenarios/TS-01/").content.decode()
    refers_to = threat.split('data-testid="refers-to"')[1].split("</section>")[0]
    assert f'href="/taras/{t}/goals/CG-01/"' in refers_to
    assert "treatment.goals" in refers_to
    assert 'data-testid="delete-blocked"' not in threat  # a reader sees no delete form


def test_the_refused_delete_redirects_back_with_the_message_once(workspace: Workspace) -> None:
    t = workspace.tara.pk
    client = workspace.client("engineer")
    back = f"/taras/{t}/goals/CG-01/"
    response = client.post(f"{back}delete/", HTTP_REFERER=f"http://testserver{back}", follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0].endswith(back)
    assert page.count("cannot be deleted while 6 element(s) refer to it") == 1
    assert 'data-testid="used-by"' in page


def test_the_matrix_page_highlights_gaps_and_downloads(workspace: Workspace) -> None:
    t = workspace.tara.pk
    client = workspace.client("auditor")
    page = client.get(f"/taras/{t}/traceability/").content.decode()
    second = client.get(f"/taras/{t}/traceability/?page=2").content.decode()
    assert 'data-testid="trace-matrix"' in page
    assert page.count("<tr") - 1 == 250  # 421 rows, 250 a page
    assert "Rows 1-250 of 421." in page
    assert "Rows 251-421 of 421." in second
    # 11 gaps; TS-48 lacks a goal under two damage scenarios
    assert page.count('class="trace-gap"') + second.count('class="trace-gap"') == 12
    assert page.count('class="trace-missing"') + second.count('class="trace-missing"') == 12
    assert 'data-testid="gap-count"><span class="badge status-missing">11</span>' in page
    assert "threat scenario TS-48 has no goal or claim" in page
    assert f'href="/taras/{t}/threat_scenarios/TS-48/"' in page
    only = client.get(f"/taras/{t}/traceability/?gaps=1").content.decode()
    assert only.count("<tr") - 1 == only.count('class="trace-gap"') == 12
    sheet = client.get(f"/taras/{t}/traceability.csv")
    assert sheet["Content-Type"] == "text/csv; charset=utf-8"
    assert "connected-ev-traceability.csv" in sheet["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(sheet.content.decode())))
    assert ["A-01", "DS-13", "TS-08", "CG-10", "CR-12", "CTL-07", ""] in rows
    book = client.get(f"/taras/{t}/traceability.xlsx")
    assert openpyxl.load_workbook(io.BytesIO(book.content)).worksheets
    refused = client.get(f"/taras/{t}/traceability.pdf")
    assert refused.status_code == 422
    assert "use one of csv, xlsx, md" in refused.content.decode()


def test_the_api_gives_references_and_the_matrix(workspace: Workspace) -> None:
    t = workspace.tara.pk
    client = workspace.client("auditor")
    body = client.get(f"/api/v1/taras/{t}/elements/goals/CG-01/references").json()
    assert (body["kind"], body["ref"], body["refers_to"]) == ("goals", "CG-01", [])
    assert [u["ref"] for u in body["used_by"]] == REFERRERS
    assert body["used_by"][0] == {
        "kind": "threat_scenarios",
        "ref": "TS-01",
        "name": body["used_by"][0]["name"],
        "fields": ["treatment.goals"],
    }
    missing = client.get(f"/api/v1/taras/{t}/elements/goals/CG-NOPE/references")
    assert missing.status_code == 404
    assert "CG-NOPE" in missing.json()["detail"]
    matrix = client.get(f"/api/v1/taras/{t}/traceability").json()
    assert matrix["columns"][0] == "asset"
    assert len(matrix["gaps"]) == 11
    first = matrix["rows"][0]["cells"]
    assert first[0]["kind"] == "assets"
    outsider = workspace.client("outsider").get(f"/api/v1/taras/{t}/traceability")
    assert outsider.status_code == 404


def _matrix_page(rows: int) -> tuple[User, str]:
    engineer, project_id = engineer_with_project()
    tara = import_doc(engineer, project_id, rows)
    return engineer, f"/taras/{tara.pk}/traceability/"


def _damage_page(rows: int) -> tuple[User, str]:
    """A damage scenario used by `rows` threat scenarios: its page lists each of them."""
    engineer, project_id = engineer_with_project()
    tara = import_doc(engineer, project_id, rows)
    return engineer, f"/taras/{tara.pk}/damage_scenarios/DS-1/"


@pytest.mark.parametrize("build", [_matrix_page, _damage_page])
def test_as_many_queries_for_20_referring_rows_as_for_1(build: Callable[[int], tuple[User, str]]) -> None:
    assert queries(build, 1) == queries(build, 20)


def test_the_api_refuses_deleting_a_goal_in_use_naming_each_referrer_once(workspace: Workspace) -> None:
    t = workspace.tara.pk
    refused = workspace.client("engineer").delete(f"/api/v1/taras/{t}/elements/goals/CG-01")
    assert refused.status_code == 422
    detail = refused.json()["detail"]
    assert detail.startswith("CG-01 cannot be deleted while 6 element(s) refer to it")
    assert [detail.count(f"{ref} (") for ref in REFERRERS] == [1] * 6
    assert Element.objects.filter(tara=workspace.tara, kind="goals", ref="CG-01").exists()
