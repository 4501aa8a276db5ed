"""In the browser, issue 12's advisory detail page: from a finding's evidence to its advisory (aliases,
affected range, the findings it produced), from the advisory list to the same page, and back to a finding."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from opencsms.core.services import system_user
from opencsms.organisation.demo import Demo
from opencsms.vulns.demo import load_demo_releases
from opencsms.vulns.models import Finding
from tests.browser.conftest import settled, sign_in
from tests.factories.workspace import VULN_EXAMPLES

GIN = "CVE-2020-28483"


def test_from_the_evidence_to_the_advisory_and_back(page: Any, demo: Demo) -> None:
    load_demo_releases(actor=system_user(), project_id=demo.project.pk, folder=VULN_EXAMPLES, tara_id=None)
    finding = Finding.objects.get(release__name="TCU firmware", vulnerability_id=GIN)
    page.goto("/login/")
    sign_in(page, "engineer")
    page.goto(f"/findings/{finding.pk}/")
    page.get_by_test_id("evidence").get_by_role("link", name="GO-2021-0052").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("GO-2021-0052")
    expect(page.get_by_test_id("advisory-aliases")).to_have_text("CVE-2020-28483, GHSA-h395-qcrw-5vmq")
    expect(page.get_by_test_id("advisory-affected")).to_contain_text("SEMVER: introduced 0, fixed 1.7.7")
    expect(page.get_by_test_id("advisory-finding-count")).to_contain_text(
        "1 finding"
    )  # the TCU only: gin is not in the gateway
    page.locator("nav.breadcrumbs").get_by_role("link", name="Advisories").click()
    page.get_by_test_id("advisory-search").locator("input[name=q]").fill("GO-2021-0052")
    expect(page.get_by_test_id("advisory-count")).to_have_text("1 advisory")
    page.get_by_test_id("advisory-table").get_by_role("link", name="GO-2021-0052").click()
    expect(page.get_by_test_id("advisory-summary")).to_contain_text("Inconsistent interpretation of HTTP")
    page.get_by_test_id("advisory-findings").get_by_role("link", name="TCU firmware 4.2.0").click()
    expect(page.get_by_test_id("release-header")).to_be_visible()
    settled(page)
    assert page.console.csp_violations() == []
    assert page.console.errors == []
