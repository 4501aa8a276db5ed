"""In the browser, incident response (issue 12, item 5): the administrator writes the organisation's
incident response plan and sees the monitoring report; the engineer opens an incident from a finding (the
form prefilled), records a timeline entry, a remedial action (done) and a communication, is refused the
closure without every criterion confirmed, then closes it."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from opencsms.core.services import system_user
from opencsms.incidents import services
from opencsms.incidents.demo import PLAN
from opencsms.organisation.demo import Demo
from opencsms.organisation.models import Level
from opencsms.vulns.demo import load_demo_releases
from tests.browser.conftest import settled, sign_in
from tests.factories.workspace import VULN_EXAMPLES

CRITERIA = PLAN["closure_criteria"].splitlines()
GIN = "CVE-2020-28483"  # a finding of the demo's TCU release (gin before 1.7.7)


def write_plan(page: Any) -> None:
    page.get_by_test_id("organisation-incidents").click()
    form = page.get_by_test_id("plan-form")
    for name, text in PLAN.items():
        form.locator(f"textarea[name={name}]").fill(text)
    form.get_by_role("button", name="Save plan").click()
    expect(page.locator("#toasts")).to_contain_text("Plan saved as revision 1.")
    page.reload()  # the form shows what was saved
    expect(page.get_by_test_id("plan-revision")).to_have_text("revision 1")
    for name, text in PLAN.items():
        expect(page.get_by_test_id("plan-form").locator(f"textarea[name={name}]")).to_have_value(text)


def test_the_administrator_writes_the_plan_and_reads_the_monitoring_report(page: Any, demo: Demo) -> None:
    page.goto("/login/")
    sign_in(page, "admin")
    page.locator("nav.nav").get_by_role("link", name="Organisations").click()
    page.get_by_test_id("organisations").get_by_role("link", name="Demo Motors").click()
    write_plan(page)
    page.get_by_test_id("report-link").click()
    expect(page.get_by_test_id("figures").locator('tr[data-figure="incidents"]')).to_be_visible()
    settled(page)
    assert page.console.csp_violations() == []
    assert page.console.errors == []


def open_from_finding(page: Any) -> None:
    page.get_by_test_id("projects").get_by_role("link", name="Connected EV", exact=True).click()
    page.get_by_test_id("releases").get_by_role("link", name="TCU firmware").click()
    page.get_by_test_id("finding-table").get_by_role("link", name=GIN).click()
    vulnerability = page.get_by_test_id("vulnerability-id").inner_text()
    assert vulnerability == GIN
    page.get_by_test_id("open-incident").click()
    form = page.get_by_test_id("incident-form")
    expect(form.locator("input[name=title]")).to_have_value(f"{vulnerability} in TCU firmware 4.2.0")
    expect(page.get_by_test_id("from-finding")).to_contain_text(vulnerability)
    form.locator("input[name=reported_by]").fill("Vehicle SOC")
    form.get_by_role("button", name="Open incident").click()
    expect(page.locator("#toasts")).to_contain_text("opened")
    expect(page.get_by_test_id("incident-links")).to_contain_text(vulnerability)
    expect(page.get_by_test_id("incident-links")).to_contain_text("TCU firmware 4.2.0")


def change_facts(page: Any) -> None:
    page.get_by_test_id("incident-edit").locator("summary").click()
    form = page.get_by_test_id("incident-edit").get_by_test_id("incident-form")
    form.locator("select[name=status]").select_option("contained")
    form.locator("textarea[name=description]").fill("Probing from 37 vehicles")
    form.locator("input[name=attack_detected]").check()
    form.get_by_role("button", name="Save incident").click()
    expect(page.get_by_test_id("incident-status")).to_have_text("Contained")
    expect(page.get_by_test_id("incident-facts")).to_contain_text("Probing from 37 vehicles")
    expect(page.get_by_test_id("timeline")).to_contain_text("Status open → contained")
    page.get_by_test_id("incident-edit").locator("summary").click()  # the form shows what was saved
    form = page.get_by_test_id("incident-edit").get_by_test_id("incident-form")
    expect(form.locator("select[name=status]")).to_have_value("contained")
    expect(form.locator("textarea[name=description]")).to_have_value("Probing from 37 vehicles")
    expect(form.locator("input[name=attack_detected]")).to_be_checked()
    expect(form.locator("select[name=releases] option[selected]")).to_have_text(
        "Connected EV: TCU firmware 4.2.0"
    )


def record(page: Any) -> None:
    entry = page.get_by_test_id("entry-form")
    entry.locator("select[name=kind]").select_option("decision")
    entry.locator("input[name=text]").fill("Block the probing at the back end")
    entry.get_by_role("button", name="Add to the timeline").click()
    expect(page.get_by_test_id("timeline")).to_contain_text("Block the probing at the back end")
    action = page.get_by_test_id("action-form")
    action.locator("input[name=title]").fill("Ship TCU 4.2.1")
    action.locator("select[name=owner]").select_option(label="engineer")
    action.get_by_role("button", name="Add action").click()
    expect(page.get_by_test_id("actions")).to_contain_text("Ship TCU 4.2.1")
    page.get_by_test_id("actions").get_by_role("button", name="Done").click()
    expect(page.get_by_test_id("timeline")).to_contain_text("Done: Ship TCU 4.2.1")
    told = page.get_by_test_id("communication-form")
    told.locator("input[name=recipient]").fill("OEM PSIRT")
    told.locator("input[name=channel]").fill("email")
    told.locator("textarea[name=summary]").fill("Incident reported")
    told.get_by_role("button", name="Record communication").click()
    expect(page.get_by_test_id("communications")).to_contain_text("OEM PSIRT")
    expect(page.get_by_test_id("timeline")).to_contain_text("To OEM PSIRT by email: Incident reported")


def close(page: Any) -> None:
    form = page.get_by_test_id("close-form")
    form.get_by_label(CRITERIA[0]).check()
    form.locator("textarea[name=note]").fill("Fixed in 4.2.1")
    form.get_by_role("button", name="Close incident").click()
    expect(page.locator("#toasts")).to_contain_text(f"not confirmed: {CRITERIA[1]}")
    expect(page.get_by_test_id("incident-status")).to_have_text("Contained")
    form = page.get_by_test_id("close-form")
    for criterion in CRITERIA:
        form.get_by_label(criterion).check()
    form.locator("textarea[name=note]").fill("Fixed in 4.2.1")
    form.get_by_role("button", name="Close incident").click()
    expect(page.get_by_test_id("incident-status")).to_have_text("Closed")
    expect(page.get_by_test_id("closure")).to_contain_text("Fixed in 4.2.1")
    expect(page.get_by_test_id("entry-form")).to_have_count(0)


def test_the_engineer_opens_an_incident_from_a_finding_records_and_closes_it(page: Any, demo: Demo) -> None:
    actor = system_user()
    load_demo_releases(actor=actor, project_id=demo.project.pk, folder=VULN_EXAMPLES, tara_id=None)
    services.save_plan(actor=actor, kind=Level.ORGANISATION, level_id=demo.organisation.pk, contents=PLAN)
    page.goto("/login/")
    sign_in(page, "engineer")
    open_from_finding(page)
    change_facts(page)
    record(page)
    close(page)
    page.locator("nav.nav").get_by_role("link", name="Incidents").click()
    expect(page.get_by_test_id("incident-table")).to_contain_text("Closed")
    settled(page)
    assert page.console.csp_violations() == []
    assert page.console.errors == []
