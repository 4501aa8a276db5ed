"""In the browser, the review loop of issue 9: the engineer submits with a note; the reviewer sees it on the
dashboard and in the review card and returns the TARA with a reason; the engineer sees the reason on the
dashboard, in a notification and in the review card, and submits again; the reviewer's approval with an
open item is refused without an acknowledgement and goes through with one, its rationale shown.
"""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from opencsms.core.models import User
from opencsms.organisation.demo import Demo
from opencsms.tara import services
from opencsms.tara.models import Element, Kind, Tara
from tests.browser.conftest import sign_in
from tests.browser.test_tara_workspace import log_out_and_in
from tests.paths import REFERENCE


def tara_with_an_open_item() -> Tara:
    """The reference TARA in the demo project, one threat scenario above the acceptance left untreated."""
    engineer = User.objects.get(username="engineer")
    project_id = engineer.memberships.get().project_id
    tara = services.import_tara(actor=engineer, project_id=project_id, raw=REFERENCE.read_bytes())
    threat = Element.objects.filter(tara=tara, kind=Kind.THREAT_SCENARIO, risk__gt=2).order_by("position")[0]
    services.update_element(
        actor=engineer,
        tara_id=tara.pk,
        kind=Kind.THREAT_SCENARIO,
        ref=threat.ref,
        changes={"treatment": None},
    )
    return tara


def submit_with_a_note(page: Any, tara: Tara) -> None:
    page.goto("/login/")
    sign_in(page, "engineer")
    page.goto(f"/taras/{tara.pk}/")
    submit = page.get_by_test_id("submit-form")
    submit.locator("input[name=note]").fill("Rated the charging threats, please check TS-03")
    submit.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_test_id("state")).to_have_text("In review")
    expect(page.get_by_test_id("review-note")).to_contain_text("please check TS-03")


def return_with_a_reason(page: Any, tara: Tara) -> None:
    log_out_and_in(page, "reviewer")
    waiting = page.get_by_test_id("approvals")
    expect(waiting.get_by_test_id("review-note")).to_have_text(
        "Rated the charging threats, please check TS-03"
    )
    expect(page.get_by_test_id("unread-count")).to_have_text("1")
    waiting.get_by_role("link", name=tara.name).click()
    review = page.get_by_test_id("review")
    expect(review.get_by_test_id("review-note")).to_contain_text("please check TS-03")
    expect(review.locator('[data-item="untreated_risks"]')).to_contain_text(
        "1 untreated risks above acceptance"
    )
    returning = page.get_by_test_id("return-form")
    returning.locator("input[name=reason]").fill("TS-03 needs a treatment decision")
    returning.get_by_role("button", name="Return to draft").click()
    expect(page.get_by_test_id("state")).to_have_text("Draft")


def read_the_reason_and_submit_again(page: Any) -> None:
    log_out_and_in(page, "engineer")
    expect(page.get_by_test_id("returned").get_by_test_id("return-reason")).to_have_text(
        "TS-03 needs a treatment decision"
    )
    expect(page.get_by_test_id("unread-count")).to_have_text("1")
    page.get_by_role("link", name="Notifications").click()
    expect(page.get_by_test_id("notification-table")).to_contain_text(
        "returned to draft by reviewer: TS-03 needs a treatment decision"
    )
    page.get_by_test_id("notification-table").get_by_role("link").first.click()
    expect(page.get_by_test_id("return-reason")).to_contain_text("TS-03 needs a treatment decision")
    page.get_by_test_id("submit-form").get_by_role("button", name="Submit for review").click()
    expect(page.get_by_test_id("state")).to_have_text("In review")
    expect(page.get_by_test_id("return-reason")).to_have_count(0)


def test_submit_return_resubmit_and_approve_with_an_acknowledged_open_item(page: Any, demo: Demo) -> None:
    tara = tara_with_an_open_item()
    submit_with_a_note(page, tara)
    return_with_a_reason(page, tara)
    read_the_reason_and_submit_again(page)
    log_out_and_in(page, "reviewer")
    page.get_by_test_id("approvals").get_by_role("link", name=tara.name).click()
    approve = page.get_by_test_id("approve-form")
    approve.get_by_role("button").click()
    expect(page.locator("#toasts")).to_contain_text("acknowledge them with a rationale")
    expect(page.get_by_test_id("state")).to_have_text("In review")
    approve = page.get_by_test_id("approve-form")
    approve.get_by_test_id("acknowledge").check()
    approve.locator("textarea[name=rationale]").fill("TS-03 is accepted by the product board until r2")
    approve.get_by_role("button").click()
    expect(page.get_by_test_id("state")).to_have_text("Approved")
    expect(page.get_by_test_id("approval-rationale")).to_contain_text("1 untreated risks above acceptance")
    expect(page.get_by_test_id("approval-rationale")).to_contain_text(
        "TS-03 is accepted by the product board until r2"
    )
    assert page.console.csp_violations() == []
    assert page.console.errors == []


def test_comments_on_the_tara_and_on_a_threat_scenario(page: Any, demo: Demo) -> None:
    tara = tara_with_an_open_item()
    page.goto("/login/")
    sign_in(page, "reviewer")
    page.goto(f"/taras/{tara.pk}/")
    form = page.get_by_test_id("comments-slot").get_by_test_id("comment-form")
    form.locator("textarea[name=text]").fill("The item boundary misses the charger")
    form.get_by_role("button", name="Add comment").click()
    expect(page.locator("#toasts")).to_contain_text("Comment added.")
    expect(page.get_by_test_id("comments-slot")).to_contain_text("The item boundary misses the charger")
    page.goto(f"/taras/{tara.pk}/threat_scenarios/TS-03/")
    slot = page.get_by_test_id("element-comments-slot")
    expect(slot).to_contain_text("No comments yet.")
    slot.locator("textarea[name=text]").fill("Why is the window of opportunity easy?")
    slot.get_by_role("button", name="Add comment").click()
    expect(page).to_have_url(re.compile(rf"/taras/{tara.pk}/threat_scenarios/TS-03/$"))
    expect(page.get_by_test_id("element-comments-slot")).to_contain_text(
        "Why is the window of opportunity easy?"
    )

    log_out_and_in(page, "auditor")
    page.goto(f"/taras/{tara.pk}/threat_scenarios/TS-03/")
    slot = page.get_by_test_id("element-comments-slot")
    expect(slot).to_contain_text("Why is the window of opportunity easy?")
    expect(slot).not_to_contain_text("The item boundary misses the charger")
    expect(slot.get_by_test_id("comment-form")).to_have_count(0)  # auditors read
    assert page.console.csp_violations() == []
    assert page.console.errors == []
