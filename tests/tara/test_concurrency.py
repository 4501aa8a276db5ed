"""Optimistic concurrency in the TARA workspace (core.versions): two people save the same element (or the
item definition) from the same version; the second save is refused with 409, loses nothing of the
first, shows both values, and applies again on top of the current version."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest
import yaml
from django.test import Client

from opencsms.core.errors import Stale
from opencsms.core.models import ChangeRecord, User
from opencsms.organisation.models import Role
from opencsms.tara import services
from opencsms.tara.models import Element, Kind, Tara
from tests.factories.core import race
from tests.factories.organisation import member
from tests.factories.workspace import Workspace, make_workspace

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def workspace(db: None) -> Workspace:
    """Built for each test: the last test needs committed data (transaction=True), which the module-wide
    workspace (tests/shared_world.py), held in a transaction, cannot give."""
    return make_workspace()


def _etag(page: str, form: str = "fields-form") -> str:
    hidden = r'<input type="hidden"(?: id="fields-etag")? name="etag" value="([0-9a-f]+)"'
    found = re.search(rf'data-testid="{form}">\s*{hidden}', page)
    assert found, "the form carries the version it was rendered from"
    return found.group(1)


def _reapply(page: str) -> dict[str, list[str]]:
    form = page[page.index('data-testid="reapply-form"') :]
    fields: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form):
        if name != "csrfmiddlewaretoken":
            fields.setdefault(name, []).append(html.unescape(value))
    return fields


def _two_editors(workspace: Workspace) -> tuple[Client, Client]:
    return workspace.client("engineer"), member(workspace.tree, Role.ENGINEER)


def test_the_second_of_two_saves_from_one_version_is_refused_and_reapplied(workspace: Workspace) -> None:
    alice, bob = _two_editors(workspace)
    url = f"/taras/{workspace.tara.pk}/claims/CL-01/"
    seen_by_alice = _etag(alice.get(url).content.decode())
    seen_by_bob = _etag(bob.get(url).content.decode())
    assert seen_by_alice == seen_by_bob
    saved = alice.post(url + "edit/", {"etag": seen_by_alice, "f_text": "Alice's claim"})
    assert saved.status_code == 302
    records = ChangeRecord.objects.count()
    refused = bob.post(url + "edit/", {"etag": seen_by_bob, "f_text": "Bob's claim"})
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "changed by someone else" in page
    assert (
        f"saved by {workspace.users[Role.ENGINEER].get_username()} at " in page
    )  # who, from the audit trail
    assert re.search(r"<td data-testid=\"theirs\">Alice&#x27;s claim</td>", page)
    assert re.search(r"<td data-testid=\"yours\">Bob&#x27;s claim</td>", page)
    claim = Element.objects.get(tara=workspace.tara, kind=Kind.CLAIM, ref="CL-01")
    assert claim.data["text"] == "Alice's claim"  # nothing of the first save is lost
    assert ChangeRecord.objects.count() == records  # the refusal wrote nothing
    again = _reapply(page)
    assert again["etag"] == [claim.etag]
    assert again["f_text"] == ["Bob's claim"]
    assert bob.post(url + "edit/", again).status_code == 302
    claim.refresh_from_db()
    assert claim.data["text"] == "Bob's claim"


def test_applying_again_keeps_what_the_other_person_changed(workspace: Workspace) -> None:
    alice, bob = _two_editors(workspace)
    url = f"/taras/{workspace.tara.pk}/goals/CG-01/"
    goal = Element.objects.get(tara=workspace.tara, kind=Kind.GOAL, ref="CG-01")
    original = {"f_name": goal.data["name"], "f_description": goal.data["description"]}
    seen = _etag(bob.get(url).content.decode())
    alice.post(url + "edit/", original | {"etag": seen, "f_name": "Alice's name"})
    refused = bob.post(url + "edit/", original | {"etag": seen, "f_description": "Bob's description"})
    assert refused.status_code == 409
    page = refused.content.decode()
    name_row = page[page.index('data-testid="conflict-name"') :]
    assert '<td data-testid="who">them</td>' in name_row[: name_row.index("</tr>")]
    description_row = page[page.index('data-testid="conflict-description"') :]
    assert '<td data-testid="who">you</td>' in description_row[: description_row.index("</tr>")]
    again = _reapply(page)
    assert again["base"] == [seen]
    assert bob.post(url + "edit/", again).status_code == 302
    goal.refresh_from_db()
    assert (goal.data["name"], goal.data["description"]) == ("Alice's name", "Bob's description")


def test_an_htmx_save_shows_the_conflict_inside_the_panel(workspace: Workspace) -> None:
    alice, bob = _two_editors(workspace)
    url = f"/taras/{workspace.tara.pk}/claims/CL-01/"
    seen = _etag(bob.get(url).content.decode(), "yaml-form")
    alice.post(url + "edit/", {"etag": seen, "f_text": "Alice's claim"})
    refused = bob.post(
        url + "yaml/",
        {"etag": seen, "yaml": "id: CL-01\ntext: Bob's YAML\n", "previous_keys": "id,text"},
        HTTP_HX_TARGET="element-panel",
        **HX,
    )
    assert refused.status_code == 409
    assert refused["HX-Retarget"] == "#element-panel"
    assert "<html" not in refused.content.decode()
    assert 'data-testid="reapply-form"' in refused.content.decode()
    assert Element.objects.get(tara=workspace.tara, ref="CL-01").data["text"] == "Alice's claim"


def test_the_item_definition_carries_its_version(workspace: Workspace) -> None:
    alice, bob = _two_editors(workspace)
    tara = workspace.tara
    page = bob.get(f"/taras/{tara.pk}/").content.decode()
    seen = re.search(r'name="etag" value="([0-9a-f]+)"', page)
    assert seen
    assert seen.group(1) == tara.etag
    functions = yaml.safe_dump(tara.header["item"]["functions"])
    mine = {"etag": tara.etag, "name": "Alice's item", "functions": functions}
    assert alice.post(f"/taras/{tara.pk}/item/", mine).status_code == 302
    refused = bob.post(f"/taras/{tara.pk}/item/", mine | {"name": "Bob's item"})
    assert refused.status_code == 409
    assert "Alice&#x27;s item" in refused.content.decode()
    assert Tara.objects.get(pk=tara.pk).header["item"]["name"] == "Alice's item"


def test_the_service_checks_the_version_inside_its_transaction(workspace: Workspace) -> None:
    engineer = workspace.users[Role.ENGINEER]
    tara = workspace.tara
    element = Element.objects.get(tara=tara, kind=Kind.CLAIM, ref="CL-01")
    old = element.etag
    changed = services.update_element(
        actor=engineer, tara_id=tara.pk, kind=Kind.CLAIM, ref="CL-01", changes={"text": "A"}, expected=old
    )
    assert changed.etag != old
    with pytest.raises(Stale) as stale:
        services.update_element(
            actor=engineer, tara_id=tara.pk, kind=Kind.CLAIM, ref="CL-01", changes={"text": "B"}, expected=old
        )
    assert stale.value.current == changed.etag
    assert stale.value.differences == [("text", "A", "B")]
    unchecked = services.update_element(  # no version given: the last write wins, as before
        actor=engineer, tara_id=tara.pk, kind=Kind.CLAIM, ref="CL-01", changes={"text": "C"}
    )
    assert unchecked.data["text"] == "C"


def test_the_api_sends_etags_and_refuses_a_stale_if_match(workspace: Workspace) -> None:
    alice, bob = _two_editors(workspace)
    url = f"/api/v1/taras/{workspace.tara.pk}/elements/claims/CL-01"
    read = bob.get(url)
    tag = read["ETag"]
    assert tag == f'"{read.json()["etag"]}"'
    saved = alice.patch(
        url, {"changes": {"text": "Alice"}}, content_type="application/json", HTTP_IF_MATCH=tag
    )
    assert saved.status_code == 200
    assert saved["ETag"] == f'"{saved.json()["etag"]}"' != tag
    refused = bob.patch(url, {"changes": {"text": "Bob"}}, content_type="application/json", HTTP_IF_MATCH=tag)
    assert refused.status_code == 409
    body = refused.json()
    assert body["code"] == "stale_version"
    assert body["current_etag"] == saved.json()["etag"]
    assert refused["ETag"] == saved["ETag"]
    assert body["differences"] == [
        {"field": "text", "current": "Alice", "yours": "Bob", "changed_by": "both"}
    ]
    assert bob.get(url).json()["data"]["text"] == "Alice"
    in_body = bob.patch(
        url, {"changes": {"text": "Bob"}, "etag": body["current_etag"]}, content_type="application/json"
    )
    assert in_body.status_code == 200
    assert in_body.json()["data"]["text"] == "Bob"
    stale_in_body = alice.patch(
        url, {"changes": {"text": "x"}, "etag": "0" * 16}, content_type="application/json"
    )
    assert stale_in_body.status_code == 409


def test_the_header_api_sends_etags_and_refuses_a_stale_if_match(workspace: Workspace) -> None:
    alice, bob = _two_editors(workspace)
    url = f"/api/v1/taras/{workspace.tara.pk}"
    tag = bob.get(url)["ETag"]
    payload = {"changes": {"version": "2.0"}}
    saved = alice.patch(url, payload, content_type="application/json", HTTP_IF_MATCH=tag)
    assert saved.status_code == 200
    assert saved["ETag"] != tag
    refused = bob.patch(
        url, {"changes": {"version": "3.0"}}, content_type="application/json", HTTP_IF_MATCH=tag
    )
    assert refused.status_code == 409
    assert refused.json()["current_etag"] == saved.json()["etag"]
    assert Tara.objects.get(pk=workspace.tara.pk).header["version"] == "2.0"
    assert bob.patch(url, payload, content_type="application/json", HTTP_IF_MATCH="*").status_code == 200


def test_tree_edits_carry_the_version_and_keep_the_fields_form_current(workspace: Workspace) -> None:
    alice, bob = _two_editors(workspace)
    tara = workspace.tara
    url = f"/taras/{tara.pk}/threat_scenarios/TS-01/"
    seen = _etag(bob.get(url).content.decode())
    assert f'<input type="hidden" name="etag" value="{seen}"><input type="hidden" name="path"' in (
        bob.get(url).content.decode()
    )
    edit = {"op": "set_gate", "path": "AP-01a", "at": "", "gate": "or"}
    done = alice.post(url + "tree/edit/", edit | {"etag": seen}, follow=True, **HX)
    now = Element.objects.get(tara=tara, kind=Kind.THREAT_SCENARIO, ref="TS-01").etag
    assert now != seen
    tree = done.content.decode()  # the partial brings the fields form's version up to date (out of band)
    assert f'<input type="hidden" id="fields-etag" name="etag" value="{now}" hx-swap-oob="true">' in tree
    refused = bob.post(url + "tree/edit/", edit | {"etag": seen, "gate": "and"}, HTTP_HX_TARGET="tree", **HX)
    assert refused.status_code == 409
    assert refused["HX-Retarget"] == "#tree"
    assert "your edit: set_gate at node root" in refused.content.decode()
    assert Element.objects.get(tara=tara, kind=Kind.THREAT_SCENARIO, ref="TS-01").etag == now
    name = {"f_name": "Renamed after a tree edit", "etag": now}
    assert alice.post(url + "edit/", name).status_code == 302  # no conflict with one's own tree edit


def test_the_tree_api_refuses_a_stale_if_match(workspace: Workspace) -> None:
    alice, bob = _two_editors(workspace)
    tara = workspace.tara
    tag = bob.get(f"/api/v1/taras/{tara.pk}/elements/threat_scenarios/TS-01")["ETag"]
    url = f"/api/v1/taras/{tara.pk}/threat_scenarios/TS-01/tree"
    edit = {"path": "AP-01a", "op": "set_gate", "gate": "or"}
    saved = alice.post(url, edit, content_type="application/json", HTTP_IF_MATCH=tag)
    assert saved.status_code == 200
    assert saved["ETag"] != tag
    refused = bob.post(url, edit | {"gate": "and"}, content_type="application/json", HTTP_IF_MATCH=tag)
    assert refused.status_code == 409
    assert f'"{refused.json()["current_etag"]}"' == saved["ETag"]


@pytest.mark.postgres_only  # two connections at once: SQLite's in-memory test database is per thread
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_saves_of_one_element_from_one_version_one_wins(workspace: Workspace) -> None:
    tara = workspace.tara
    seen = Element.objects.get(tara=tara, kind=Kind.CLAIM, ref="CL-01").etag
    engineer, manager = workspace.users[Role.ENGINEER], workspace.users[Role.CYBERSECURITY_MANAGER]

    def save(actor: User, text: str) -> Callable[[], object]:
        return lambda: services.update_element(
            actor=actor, tara_id=tara.pk, kind=Kind.CLAIM, ref="CL-01", changes={"text": text}, expected=seen
        )

    outcomes = race(save(engineer, "first"), save(manager, "second"))
    saved = [o for o in outcomes if isinstance(o, Element)]
    stale = [o for o in outcomes if isinstance(o, Stale)]
    assert (len(saved), len(stale)) == (1, 1), outcomes
    stored = Element.objects.get(tara=tara, kind=Kind.CLAIM, ref="CL-01")
    assert stored.data["text"] == saved[0].data["text"]
    assert stale[0].current == stored.etag
