"""What the vulnerability pages offer readers: no upload, triage, link or import for an auditor, which an
engineer has. Who may call each page and action is the permission matrix's (tests/config/permissions)."""

from __future__ import annotations

import pytest

from tests.factories.workspace import Monitored

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def test_readers_see_no_action(monitored: Monitored) -> None:
    auditor = monitored.client("auditor")
    releases = auditor.get(f"/projects/{monitored.release.project_id}/releases/", **HX).content.decode()
    assert 'data-testid="upload-sbom"' not in releases
    finding = auditor.get(f"/findings/{monitored.finding.pk}/").content.decode()
    assert "Save triage" not in finding
    assert 'data-testid="link-form"' not in finding
    assert "disabled" in finding
    advisories = auditor.get(f"/projects/{monitored.release.project_id}/advisories/").content.decode()
    assert 'data-testid="import-advisories"' not in advisories
    engineer = monitored.client("engineer").get(f"/findings/{monitored.finding.pk}/").content.decode()
    assert "Save triage" in engineer
    assert 'data-testid="link-form"' in engineer
