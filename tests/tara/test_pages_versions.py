"""The pages over a TARA's versions (the working state and its baselines): the diff with every risk value,
a baseline's page with its document control and the downloads of its report, named after it."""

from __future__ import annotations

import pytest

from opencsms.engine.reports import FORMATS, MEDIA_TYPES
from tests.factories.workspace import (
    Workspace,
    approved_then_changed,
    disposition_name,
    freeze,
    lower_ds01_safety,
)
from tests.golden_files import readable_text

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def test_the_diff_page_shows_a_risk_value_below_the_highest(workspace: Workspace) -> None:
    baseline = freeze(workspace)
    lower_ds01_safety(workspace)
    tara = workspace.tara
    page = workspace.client("auditor").get(f"/taras/{tara.pk}/diff/", {"old": f"baseline:{baseline.pk}"})
    html = page.content.decode()
    assert "0 risk changes, 12 risk value changes." in html
    assert 'data-testid="risk-value-changes"' in html
    row = html.split('data-testid="risk-value-changes"')[1].split("</tr>")[1]
    assert f'href="/taras/{tara.pk}/threat_scenarios/TS-01/">TS-01</a>' in row
    assert f'href="/taras/{tara.pk}/damage_scenarios/DS-01/">DS-01</a>' in row
    assert "<td>safety</td><td>risk</td>" in row
    assert "<del>5</del>" in row
    assert "<ins>1</ins>" in row
    same = workspace.client("auditor").get(f"/taras/{tara.pk}/diff/", {"old": "working"}, **HX)
    assert "0 risk value changes" in same.content.decode()
    assert 'data-testid="risk-value-changes"' not in same.content.decode()


def test_a_baseline_page_names_its_version_and_offers_its_reports(workspace: Workspace) -> None:
    approval, approver = approved_then_changed(workspace)
    tara, client = workspace.tara, workspace.client("auditor")
    overview = client.get(f"/taras/{tara.pk}/").content.decode()
    assert f'href="/taras/{tara.pk}/baselines/{approval.pk}/">r1 approved</a>' in overview
    page = client.get(f"/taras/{tara.pk}/baselines/{approval.pk}/").content.decode()
    control = page.split('data-testid="document-control"')[1].split("</dl>")[0]
    for shown in (tara.name, "r1", "approved", approver, approval.content_sha256, "Baseline r1 approved"):
        assert f"<dd>{shown}</dd>" in control or f">{shown}</dd>" in control
    downloads = page.split('data-testid="baseline-downloads"')[1].split("</p>")[0]
    for fmt in FORMATS:
        assert f'href="/taras/{tara.pk}/baselines/{approval.pk}/report.{fmt}"' in downloads
    assert f"/taras/{tara.pk}/diff/?old=baseline:{approval.pk}&amp;new=working" in page


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_baseline_report_download_names_its_version(workspace: Workspace, fmt: str) -> None:
    approval, approver = approved_then_changed(workspace)
    tara = workspace.tara
    response = workspace.client("auditor").get(f"/taras/{tara.pk}/baselines/{approval.pk}/report.{fmt}")
    assert response["Content-Type"] == MEDIA_TYPES[fmt]
    assert disposition_name(response) == f"{tara.ref}-r1-approved-{approval.content_sha256[:8]}.{fmt}"
    text = readable_text(response.content, fmt, first_pages=2)  # the cover and its control block
    for shown in (tara.name, approver, approval.content_sha256, "Document control" if fmt != "json" else ""):
        assert shown in text


def test_a_baseline_of_another_tara_or_a_bad_format_is_refused(workspace: Workspace) -> None:
    plain = freeze(workspace)
    client, tara = workspace.client("auditor"), workspace.tara
    assert client.get(f"/taras/{tara.pk}/baselines/999999/").status_code == 404
    assert client.get(f"/taras/{tara.pk}/baselines/999999/report.html").status_code == 404
    refused = client.get(f"/taras/{tara.pk}/baselines/{plain.pk}/report.docx")
    assert refused.status_code == 422
    assert "docx" in refused.content.decode()
    assert workspace.client("outsider").get(f"/taras/{tara.pk}/baselines/{plain.pk}/").status_code == 404
