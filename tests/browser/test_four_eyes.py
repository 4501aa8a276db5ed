"""In the browser, four eyes by authorship: the manager who changed a TARA revision that the engineer
submitted clicks Approve and is refused with the reason, the TARA stays in review, and the reviewer, who
changed nothing, approves it."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from opencsms.core.models import User
from opencsms.organisation.demo import Demo
from opencsms.tara import services
from tests.browser.conftest import sign_in
from tests.paths import REFERENCE


def _submitted_after_the_managers_change(demo: Demo) -> int:
    engineer, manager = (User.objects.get(username=name) for name in ("engineer", "manager"))
    tara = services.import_tara(actor=engineer, project_id=demo.project.pk, raw=REFERENCE.read_bytes())
    services.update_element(
        actor=manager, tara_id=tara.pk, kind="assets", ref="A-01", changes={"name": "Renamed by the manager"}
    )
    return services.submit_for_review(actor=engineer, tara_id=tara.pk).pk


def test_an_author_is_refused_and_a_reviewer_approves(page: Any, demo: Demo) -> None:
    tara_id = _submitted_after_the_managers_change(demo)
    page.goto("/login/")
    sign_in(page, "manager")
    page.goto(f"/taras/{tara_id}/")
    expect(page.get_by_test_id("state")).to_have_text("In review")
    page.get_by_test_id("approve-form").get_by_role("button").click()
    expect(page.locator("body")).to_contain_text(
        "four eyes: you changed this revision, so someone else must approve it"
    )
    expect(page.get_by_test_id("state")).to_have_text("In review")
    page.get_by_role("button", name="Log out").click()
    sign_in(page, "reviewer")
    page.goto(f"/taras/{tara_id}/")
    page.get_by_test_id("approve-form").get_by_role("button").click()
    expect(page.get_by_test_id("state")).to_have_text("Approved")
    assert page.console.csp_violations() == []
    assert page.console.errors == []
