"""In the browser, a TARA's versions: the engineer freezes a baseline, lowers one damage scenario's safety
impact and compares the baseline with the working state: the diff shows the one risk value per impact
category that fell, though no threat scenario's highest risk moved. The reviewer approves the TARA, opens
the approval's baseline and downloads its report, which carries the baseline's content hash."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from opencsms.core.models import User
from opencsms.organisation.demo import Demo
from opencsms.tara import services
from opencsms.tara.models import Tara
from tests.browser.conftest import sign_in
from tests.paths import REFERENCE


def imported(demo: Demo) -> Tara:
    return services.import_tara(
        actor=User.objects.get(username="engineer"),
        project_id=demo.project.pk,
        raw=REFERENCE.read_bytes(),
        filename=REFERENCE.name,
    )


def test_the_diff_shows_a_risk_value_per_impact_category(page: Any, demo: Demo) -> None:
    tara = imported(demo)
    page.goto("/login/")
    sign_in(page, "engineer")
    page.goto(f"/taras/{tara.pk}/")
    baseline = page.get_by_test_id("baseline-form")
    baseline.locator("input[name=name]").fill("before")
    baseline.get_by_role("button", name="Create baseline").click()
    expect(page.get_by_test_id("baselines")).to_contain_text("before")
    page.goto(f"/taras/{tara.pk}/damage_scenarios/DS-01/")
    fields = page.get_by_test_id("fields-form")
    fields.locator("select[name=impact_safety]").select_option("negligible")
    fields.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("fields-form").locator("select[name=impact_safety]")).to_have_value(
        "negligible"
    )
    page.goto(f"/taras/{tara.pk}/")
    diff = page.get_by_test_id("diff-form")
    diff.locator("select[name=old]").select_option(label="before (r1)")
    diff.locator("select[name=new]").select_option(label="Working state")
    diff.get_by_role("button", name="Show the differences").click()
    expect(page.get_by_test_id("diff")).to_contain_text("0 risk changes, 12 risk value changes")
    first = page.get_by_test_id("risk-value-changes").locator("tbody tr").first
    expect(first.locator("td")).to_have_text(["TS-01", "DS-01", "safety", "risk", "5", "1"])
    residual = page.get_by_test_id("risk-value-changes").locator("tbody tr").nth(1)
    expect(residual.locator("td")).to_have_text(["TS-01", "DS-01", "safety", "residual risk", "2", "1"])
    assert page.console.csp_violations() == []
    assert page.console.errors == []


def test_the_approved_baselines_report_carries_its_hash(page: Any, demo: Demo) -> None:
    tara = imported(demo)
    services.submit_for_review(actor=User.objects.get(username="engineer"), tara_id=tara.pk)
    page.goto("/login/")
    sign_in(page, "reviewer")
    page.goto(f"/taras/{tara.pk}/")
    page.get_by_test_id("approve-form").get_by_role("button").click()
    expect(page.get_by_test_id("state")).to_have_text("Approved")
    page.get_by_test_id("baselines").get_by_role("link", name="r1 approved").click()
    expect(page.locator("h1")).to_contain_text("Baseline r1 approved")
    digest = Tara.objects.get(pk=tara.pk).content_sha256
    reviewer = User.objects.get(username="reviewer")
    approver = reviewer.get_full_name() or reviewer.username
    expect(page.get_by_test_id("content-hash")).to_have_text(digest)
    downloads = page.get_by_test_id("baseline-downloads")
    for label, fmt in (("HTML", "html"), ("Markdown", "md")):
        with page.expect_download() as started:
            downloads.get_by_role("link", name=label, exact=True).click()
        download = started.value
        assert download.suggested_filename == f"{tara.ref}-r1-approved-{digest[:8]}.{fmt}"
        content = Path(download.path()).read_text(encoding="utf-8")
        assert digest in content
        assert approver in content
    assert page.console.csp_violations() == []
    assert page.console.errors == []
