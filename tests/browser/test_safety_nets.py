"""In the browser, the safety nets of issue 9: destructive actions ask first in a dialog (cancel keeps
everything, confirm acts), a new member's role must be chosen, attack paths are not attached twice, and
an element's last change is undone from its page."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from opencsms.core.models import User
from opencsms.organisation.demo import Demo
from opencsms.organisation.models import Membership
from opencsms.tara import services
from opencsms.tara.models import Element, Kind, Tara
from tests.browser.conftest import sign_in
from tests.paths import REFERENCE


@pytest.fixture
def tara(demo: Demo) -> Tara:
    engineer = User.objects.get(username="engineer")
    return services.import_tara(
        actor=engineer, project_id=demo.project.pk, raw=REFERENCE.read_bytes(), filename=REFERENCE.name
    )


def _signed_in(page: Any, who: str = "engineer") -> None:
    page.goto("/login/")
    sign_in(page, who)


def test_deleting_an_element_asks_first(page: Any, tara: Tara) -> None:
    services.create_element(
        actor=User.objects.get(username="engineer"),
        tara_id=tara.pk,
        kind=Kind.CLAIM,
        data={"id": "CL-90", "text": "A claim to remove"},
    )
    _signed_in(page)
    page.goto(f"/taras/{tara.pk}/claims/CL-90/")
    page.get_by_test_id("delete-form").get_by_role("button", name="Delete CL-90").click()
    confirm = page.get_by_test_id("confirm")
    expect(confirm).to_be_visible()
    expect(confirm).to_contain_text("Delete CL-90? Elements that refer to it must change first.")
    expect(confirm.get_by_role("button", name="Cancel")).to_be_focused()
    page.keyboard.press("Escape")  # the keyboard cancels too
    expect(confirm).to_be_hidden()
    assert Element.objects.filter(tara=tara, ref="CL-90").exists()
    page.get_by_test_id("delete-form").get_by_role("button", name="Delete CL-90").click()
    confirm.get_by_role("button", name="Cancel").click()
    expect(confirm).to_be_hidden()
    assert Element.objects.filter(tara=tara, ref="CL-90").exists()
    page.get_by_test_id("delete-form").get_by_role("button", name="Delete CL-90").click()
    confirm.get_by_role("button", name="Delete CL-90").click()
    expect(page.locator(".toast").first).to_contain_text("CL-90 deleted.")
    assert not Element.objects.filter(tara=tara, ref="CL-90").exists()
    assert page.console.csp_violations() == []
    assert page.console.errors == []


def test_removing_an_attack_tree_node_names_its_subtree_and_asks(page: Any, tara: Tara) -> None:
    _signed_in(page)
    page.goto(f"/taras/{tara.pk}/threat_scenarios/TS-01/")
    tree = page.get_by_test_id("tree")
    gate = tree.locator("li[data-testid=node]").filter(has=page.locator("ul")).nth(1)
    address = gate.get_attribute("data-address")
    nodes = tree.locator("li[data-testid=node]").count()
    gate.locator(".node-actions").first.get_by_test_id("remove-node").get_by_role("button").click()
    confirm = page.get_by_test_id("confirm")
    expect(confirm).to_contain_text("and everything under it from the attack tree?")
    confirm.get_by_role("button", name="Cancel").click()
    expect(tree.locator("li[data-testid=node]")).to_have_count(nodes)
    gate.locator(".node-actions").first.get_by_test_id("remove-node").get_by_role("button").click()
    confirm.get_by_role("button", name="Remove").click()
    expect(page.get_by_test_id("tree").locator("li[data-testid=node]")).not_to_have_count(nodes)
    assert address is not None
    assert page.console.errors == []


def test_a_new_member_needs_a_chosen_role_and_removal_asks(page: Any, demo: Demo) -> None:
    _signed_in(page, "admin")
    page.goto(f"/projects/{demo.project.pk}/")
    form = page.get_by_test_id("add-member")
    expect(form.locator("select[name=role]")).to_have_value("")
    form.locator("select[name=user]").select_option("auditor")
    form.get_by_role("button", name="Add member").click()  # the browser refuses: the role is required
    assert form.locator("select[name=role]").evaluate("el => el.validity.valueMissing")
    assert not Membership.objects.filter(user__username="auditor", project=demo.project).exists()
    form.locator("select[name=role]").select_option("reviewer")
    form.get_by_role("button", name="Add member").click()
    expect(page.locator(".toast-success")).to_contain_text("auditor is now reviewer")
    row = page.get_by_test_id("members").locator(
        "tr", has=page.get_by_role("cell", name="auditor", exact=True)
    )
    row.get_by_role("button", name="Remove").click()
    confirm = page.get_by_test_id("confirm")
    confirm.get_by_role("button", name="Cancel").click()
    assert Membership.objects.filter(user__username="auditor", project=demo.project).exists()
    row.get_by_role("button", name="Remove").click()
    confirm.get_by_role("button", name="Remove").click()
    expect(page.get_by_test_id("members").get_by_role("cell", name="auditor", exact=True)).to_have_count(0)
    assert not Membership.objects.filter(user__username="auditor", project=demo.project).exists()


def test_attack_paths_are_not_attached_twice(page: Any, tara: Tara) -> None:
    _signed_in(page)
    page.goto(f"/taras/{tara.pk}/attack-paths/?asset=A-01&k=1")
    page.get_by_test_id("attach-form").get_by_role("button", name="Add as attack trees").click()
    expect(page.get_by_test_id("tree")).to_contain_text("TS-08.AP1")
    page.go_back()
    page.reload()
    page.get_by_test_id("attach-form").get_by_role("button", name="Add as attack trees").click()
    expect(page.locator(".toast-error")).to_contain_text("has these attack paths already (TS-08.AP1)")
    paths = Element.objects.get(tara=tara, kind=Kind.THREAT_SCENARIO, ref="TS-08").data["attack_paths"]
    assert [p["id"] for p in paths].count("TS-08.AP1") == 1
    assert not any(p["id"] == "TS-08.AP2" for p in paths)


def test_undo_the_last_change_from_the_element_page(page: Any, tara: Tara) -> None:
    _signed_in(page)
    page.goto(f"/taras/{tara.pk}/claims/CL-01/")
    before = Element.objects.get(tara=tara, kind=Kind.CLAIM, ref="CL-01").data["text"]
    expect(page.get_by_test_id("undo-form")).to_have_count(0)
    form = page.get_by_test_id("fields-form")
    form.locator("#f-text").fill("A claim changed by mistake")
    form.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("undo-form")).to_contain_text("by engineer")
    page.get_by_test_id("undo-form").get_by_role("button", name="Undo the last change").click()
    expect(page.locator(".toast").first).to_contain_text("The last change of CL-01 was undone.")
    expect(page.get_by_test_id("fields-form").locator("#f-text")).to_have_value(before)
    Element.objects.filter(tara=tara, kind=Kind.CLAIM, ref="CL-01").update(data={"id": "CL-01", "text": "x"})
    page.get_by_test_id("undo-form").get_by_role("button", name="Undo the last change").click()
    expect(page.locator(".toast-error")).to_contain_text("CL-01 is no longer what its last change")
    assert page.console.errors == []
