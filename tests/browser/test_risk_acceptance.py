"""In the browser, issue 12's risk acceptance: the engineer accepts a demo finding's risk, is refused without
an expiry date, accepts it until a day, sees it read as expired once that day has passed (before the
scheduler runs), and sees it back in triage, with a notification, after the scheduler's pass."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from playwright.sync_api import expect

from opencsms.core.services import system_user
from opencsms.organisation.demo import Demo
from opencsms.vulns import services
from opencsms.vulns.demo import load_demo_releases
from opencsms.vulns.models import Finding
from tests.browser.conftest import settled, sign_in
from tests.factories.workspace import VULN_EXAMPLES

GIN = "CVE-2020-28483"


def _accept(page: Any, until: str) -> None:
    form = page.get_by_test_id("triage-form")
    form.locator("select[name=stage]").select_option("decided")
    form.locator("select[name=vex_status]").select_option("affected")
    form.locator("select[name=decision]").select_option("accept")
    form.locator("textarea[name=rationale]").fill("The TCU's gin only serves the local diagnostics port")
    form.locator("input[name=accepted_until]").fill(until)
    form.get_by_role("button", name="Save triage").click()


def test_accept_with_an_expiry_and_see_it_reopen_after_it_passes(page: Any, demo: Demo) -> None:
    load_demo_releases(actor=system_user(), project_id=demo.project.pk, folder=VULN_EXAMPLES, tara_id=None)
    finding = Finding.objects.get(release__name="TCU firmware", vulnerability_id=GIN)
    until = timezone.localdate() + dt.timedelta(days=90)
    page.goto("/login/")
    sign_in(page, "engineer")
    page.goto(f"/findings/{finding.pk}/")
    _accept(page, "")
    expect(page.get_by_test_id("triage-panel")).to_contain_text("accepting a risk needs an expiry date")
    _accept(page, until.isoformat())
    expect(page.get_by_test_id("accepted-until")).to_have_text(f"accepted until {until.isoformat()}")
    settled(page)
    assert Finding.objects.get(pk=finding.pk).accepted_until == until

    Finding.objects.filter(pk=finding.pk).update(accepted_until=timezone.localdate() - dt.timedelta(days=1))
    page.reload()  # its last day has passed: expired at once, before the scheduler's pass
    expect(page.get_by_test_id("acceptance-expired")).to_be_visible()
    page.goto(f"/releases/{finding.release_id}/")
    expect(page.locator(f'tr[data-finding="{GIN}"]').get_by_test_id("acceptance-expired")).to_be_visible()

    settled(page)  # the release page's partials have loaded: the live server holds no table
    assert services.reopen_expired_acceptances() == 1  # the scheduler's pass
    page.goto(f"/findings/{finding.pk}/")
    expect(page.get_by_test_id("triage-state")).to_contain_text("Vulnerability analysed")
    expect(page.get_by_test_id("triage-state")).not_to_contain_text("Accept")
    expect(page.get_by_test_id("acceptance-expired")).to_have_count(0)
    page.goto("/notifications/")
    expect(page.locator("main")).to_contain_text(f"The acceptance of {GIN} in TCU firmware 4.2.0 expired")
    settled(page)
    assert page.console.csp_violations() == []
    assert page.console.errors == []
