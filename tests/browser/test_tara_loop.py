"""In the browser, the loop closed by the organisation's rule (issue 12, item 3): the organisation's
administrator sets the rule on the advisories page; with `propose`, the engineer confirms one re-rating and
rejects another on the finding's page and sees them on the TARA's threat scenario page; with `automatic`,
a new advisory re-rates the steps by itself and the engineer finds the notification that a risk rose above
acceptance, with the finding and the re-rated step."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from opencsms.core.models import User
from opencsms.core.services import system_user
from opencsms.organisation.demo import Demo
from opencsms.tara.models import Tara
from opencsms.tara.services import import_if_missing
from opencsms.vulns import services
from opencsms.vulns.models import Finding
from tests.browser.conftest import sign_in
from tests.factories.workspace import VULN_EXAMPLES
from tests.paths import REFERENCE

NEW = "EXAMPLE-2026-0001"  # examples/vulns/new-advisory.osv.json: gorilla/websocket, CVSS v3 critical


def _set_rule(page: Any, demo: Demo, label: str) -> None:
    page.goto("/login/")
    sign_in(page, "admin")
    page.goto(f"/organisations/{demo.organisation.pk}/advisories/")
    form = page.get_by_test_id("loop-rule-form")
    form.locator("select[name=mode]").select_option(label=label)
    form.get_by_role("button", name="Save the rule").click()
    expect(page.locator("#toasts")).to_contain_text(label)
    page.context.clear_cookies()  # signed out: the engineer signs in next


def _tcu_with_new_advisory(demo: Demo) -> tuple[Tara, Finding]:
    """The reference TARA, the TCU release on its TCU component, then the new advisory (its finding)."""
    engineer = User.objects.get(username="engineer")
    tara, _ = import_if_missing(actor=system_user(), project_id=demo.project.pk, raw=REFERENCE.read_bytes())
    services.upload_sbom(
        actor=engineer, project_id=demo.project.pk, name="TCU firmware", version="4.2.0",
        raw=(VULN_EXAMPLES / "tcu-firmware-4.2.0.cdx.json").read_bytes(), component_ref="TCU",
        tara_id=tara.pk,
    )  # fmt: skip
    services.import_advisories(
        actor=engineer, project_id=demo.project.pk, raw=(VULN_EXAMPLES / "new-advisory.osv.json").read_bytes()
    )
    return tara, Finding.objects.get(vulnerability_id=NEW)


def _row(page: Any, step: str) -> Any:
    return page.get_by_test_id("tara-links").get_by_test_id("step-link").filter(has_text=step)


def test_proposals_are_confirmed_and_rejected(page: Any, demo: Demo) -> None:
    _set_rule(page, demo, "Propose: a person confirms or rejects each re-rating")
    tara, finding = _tcu_with_new_advisory(demo)
    page.goto("/login/")
    sign_in(page, "engineer")
    page.goto(f"/findings/{finding.pk}/")
    first, second = _row(page, "TS-05 / AP-05a / 0"), _row(page, "TS-05 / AP-05a / 1")
    expect(first.get_by_test_id("link-status")).to_have_text("Proposed")
    first.get_by_role("button", name="Confirm").click()
    expect(_row(page, "TS-05 / AP-05a / 0").get_by_test_id("link-status")).to_have_text("Applied")
    expect(_row(page, "TS-05 / AP-05a / 0").get_by_test_id("risk-change")).to_have_text("4 → 5")
    second.get_by_role("button", name="Reject").click()
    confirm = page.get_by_test_id("confirm")
    expect(confirm).to_contain_text("Reject the re-rating of TS-05 / AP-05a / 1?")
    confirm.get_by_test_id("confirm-yes").click()
    expect(_row(page, "TS-05 / AP-05a / 1").get_by_test_id("link-status")).to_have_text("Rejected")
    page.goto(f"/taras/{tara.pk}/threat_scenarios/TS-05/")
    findings = page.get_by_test_id("tara-step-links")
    expect(findings.get_by_test_id("step-link").filter(has_text="AP-05a / 0")).to_contain_text("Applied")
    expect(findings.get_by_test_id("step-link").filter(has_text="AP-05a / 1")).to_contain_text("Rejected")
    expect(findings).to_contain_text(NEW)
    assert page.console.csp_violations() == []
    assert page.console.errors == []


def test_automatic_rerating_notifies(page: Any, demo: Demo) -> None:
    _set_rule(page, demo, "Automatic: attack steps are re-rated at once")
    _tcu_with_new_advisory(demo)
    page.goto("/login/")
    sign_in(page, "engineer")
    page.goto("/notifications/")
    note = page.get_by_test_id("notification-table").locator("tr", has_text="re-rated attack step TS-05")
    expect(note.first).to_contain_text(f"{NEW} in TCU firmware 4.2.0 re-rated attack step TS-05 / AP-05a / 0")
    expect(note.first).to_contain_text("above the acceptance level 2")
    expect(note.first.get_by_test_id("notification-tara")).to_be_visible()
    note.first.get_by_role("link", name=NEW, exact=False).first.click()
    applied = _row(page, "TS-05 / AP-05a / 0")
    expect(applied.get_by_test_id("link-status")).to_have_text("Applied")
    expect(applied).to_contain_text("by the organisation's rule")
    expect(applied.get_by_test_id("risk-change")).to_have_text("4 → 5")
    expect(applied.get_by_role("button", name="Confirm")).to_have_count(0)
    assert page.console.csp_violations() == []
    assert page.console.errors == []
