"""In the browser, issue 12's remediation SLAs on the demo data: the organisation's administrator opens the
SLA from the organisation page, saves it unchanged (no new version), changes a term (a new version), is
refused an invalid one (nothing saved), and opens the overdue findings, where the demo's overdue finding is
listed with its days overdue, sorted both ways."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from opencsms.core.models import ChangeRecord
from opencsms.core.services import system_user
from opencsms.organisation.demo import Demo
from opencsms.vulns.demo import OVERDUE, load_demo_releases
from opencsms.vulns.models.sla import SlaPolicy
from tests.browser.conftest import settled, sign_in
from tests.factories.workspace import VULN_EXAMPLES


def _save(page: Any, **terms: str) -> None:
    form = page.get_by_test_id("sla-form")
    for name, value in terms.items():
        form.locator(f"input[name={name}]").fill(value)
    form.get_by_role("button", name="Save the SLA").click()


def test_the_sla_form_and_the_overdue_page(page: Any, demo: Demo) -> None:
    load_demo_releases(actor=system_user(), project_id=demo.project.pk, folder=VULN_EXAMPLES, tara_id=None)
    organisation = demo.organisation
    page.goto("/login/")
    sign_in(page, "admin")
    page.goto(f"/organisations/{organisation.pk}/")
    page.get_by_test_id("organisation-sla").click()
    expect(page.get_by_test_id("sla-source")).to_contain_text("version 1")

    _save(page)  # unchanged: saved, still version 1
    expect(page.locator("#toasts")).to_contain_text("SLA saved: version 1")
    settled(page)
    assert ChangeRecord.objects.filter(action="vulns_sla_policy.set").count() == 1

    _save(page, high="21")
    expect(page.locator("#toasts")).to_contain_text("SLA saved: version 2")
    expect(page.locator("input[name=high]")).to_have_value("21")
    settled(page)
    assert (SlaPolicy.objects.get(organisation=organisation).high, SlaPolicy.objects.get().version) == (21, 2)

    _save(page, critical="0")
    expect(page.locator("#toasts")).to_contain_text("the SLA cannot be saved: critical")
    expect(page.locator("input[name=critical]")).to_have_value("7")  # the stored value, shown again
    settled(page)
    assert SlaPolicy.objects.get().version == 2

    page.get_by_test_id("overdue-link").click()
    release, vulnerability, late = OVERDUE
    row = page.locator(f'tr[data-finding="{vulnerability}"]')
    expect(row.get_by_test_id("days-overdue")).to_have_text(str(late))
    expect(row).to_contain_text(release)
    page.get_by_role("link", name="Days overdue ▼").click()  # the fewest days first
    expect(page.get_by_role("link", name="Days overdue ▲")).to_be_visible()
    expect(page.locator(f'tr[data-finding="{vulnerability}"]')).to_be_visible()
    settled(page)
    assert page.console.csp_violations() == []
    assert page.console.errors == []
