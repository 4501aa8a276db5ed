"""The element edit forms save what they show: posted unchanged, every element of the reference TARA
keeps its data; changed, each field is stored (a threat scenario with treatment goals and claims too)."""

from __future__ import annotations

import pytest
from django.test import Client

from opencsms.tara.models import Element, Kind
from tests.factories.workspace import Workspace
from tests.html_forms import form_values

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def _unchanged_save(workspace: Workspace, client: Client, element: Element) -> list[str]:
    url = f"/taras/{workspace.tara.pk}/{element.kind}/{element.ref}/"
    values = form_values(client.get(url).content.decode(), "fields-form")
    response = client.post(f"{url}edit/", values, follow=True, HTTP_HX_TARGET="element-panel", **HX)
    problems = []
    if response.status_code != 200 or "HX-Retarget" in response:
        problems.append(f"{element.kind} {element.ref}: {response.content.decode()[:300]}")
    after = Element.objects.get(pk=element.pk).data
    if after != element.data:
        problems.append(f"{element.kind} {element.ref}: {element.data} -> {after}")
    return problems


@pytest.mark.parametrize("kind", list(Kind), ids=str)
def test_every_element_of_the_reference_saves_unchanged(workspace: Workspace, kind: Kind) -> None:
    """Per kind, so that the two test processes share the work."""
    client, problems = workspace.client("engineer"), []
    elements = Element.objects.filter(tara=workspace.tara, kind=kind).order_by("position")
    for element in elements:
        problems += _unchanged_save(workspace, client, element)
    assert elements.exists(), f"the reference has no {kind}: the test would prove nothing"
    assert problems == []


def test_a_threat_scenario_with_goals_and_claims_saves_every_changed_field(workspace: Workspace) -> None:
    client = workspace.client("engineer")
    url = f"/taras/{workspace.tara.pk}/threat_scenarios/TS-41/"
    values = form_values(client.get(url).content.decode(), "fields-form")
    assert values["treatment_goals"] == "CG-06"
    assert values["treatment_claims"] == "CL-06"
    assert values["treatment_decision"] == ["reduce", "retain"]
    values |= {
        "f_name": "Phantom braking from projections",
        "f_description": "A projector shows an obstacle.",
        "f_status": "proposed",
        "f_rationale": "Kept for review.",
        "f_stride": "S",
        "f_damage_scenarios": "DS-01, DS-02",
        "treatment_decision": ["reduce"],
        "treatment_rationale": "Fusion is improved.",
        "treatment_goals": "CG-06, CG-01",
        "treatment_claims": "",
    }
    response = client.post(f"{url}edit/", values, follow=True, **HX)
    assert response.status_code == 200
    data = Element.objects.get(tara=workspace.tara, kind=Kind.THREAT_SCENARIO, ref="TS-41").data
    assert {key: data.get(key) for key in ("name", "description", "status", "rationale", "stride")} == {
        "name": "Phantom braking from projections",
        "description": "A projector shows an obstacle.",
        "status": "proposed",
        "rationale": "Kept for review.",
        "stride": "S",
    }
    assert data["damage_scenarios"] == ["DS-01", "DS-02"]
    assert data["treatment"] == {
        "decision": "reduce",
        "rationale": "Fusion is improved.",
        "goals": ["CG-06", "CG-01"],
    }
    shown = form_values(response.content.decode(), "fields-form")
    assert shown["treatment_goals"] == "CG-06, CG-01"
    assert shown["treatment_decision"] == ["reduce"]


def test_an_unknown_treatment_decision_is_refused_beside_nothing_lost(workspace: Workspace) -> None:
    client = workspace.client("engineer")
    before = Element.objects.get(tara=workspace.tara, kind=Kind.THREAT_SCENARIO, ref="TS-01").data
    response = client.post(
        f"/taras/{workspace.tara.pk}/threat_scenarios/TS-01/edit/",
        {"f_name": "x", "treatment_decision": "ignore"},
        HTTP_HX_TARGET="element-panel",
        **HX,
    )
    assert "treatment_decision" in response.content.decode()
    assert "ignore" in response.content.decode()
    assert Element.objects.get(tara=workspace.tara, kind=Kind.THREAT_SCENARIO, ref="TS-01").data == before


def test_a_refused_reference_is_named_beside_its_field(workspace: Workspace) -> None:
    response = workspace.client("engineer").post(
        f"/taras/{workspace.tara.pk}/threat_scenarios/TS-01/edit/",
        {
            "f_name": "x",
            "f_damage_scenarios": "DS-01, DS-NOPE",
            "treatment_decision": "reduce",
            "treatment_goals": "CG-NOPE",
        },
        HTTP_HX_TARGET="element-panel",
        **HX,
    )
    body = response.content.decode()
    assert response["HX-Retarget"] == "#element-panel"
    assert '<li data-for="damage_scenarios">' in body
    assert (
        "&#x27;DS-NOPE&#x27; is not defined"
        in body.split('data-for="damage_scenarios">')[1].split("</li>")[0]
    )
    assert '<li data-for="treatment.goals">' in body
    assert '<li data-for="name">' not in body


def test_a_form_error_names_its_input(workspace: Workspace) -> None:
    response = workspace.client("engineer").post(
        f"/taras/{workspace.tara.pk}/threat_scenarios/TS-01/edit/",
        {"treatment_decision": "ignore"},
        HTTP_HX_TARGET="element-panel",
        **HX,
    )
    assert '<li data-for="treatment_decision">' in response.content.decode()


def test_the_item_form_saves_unchanged_and_names_bad_yaml_beside_its_field(workspace: Workspace) -> None:
    client = workspace.client("engineer")
    tara = workspace.tara
    item = dict(tara.header["item"])
    values = form_values(client.get(f"/taras/{tara.pk}/").content.decode(), "item-form")
    saved = client.post(f"/taras/{tara.pk}/item/", values, **{**HX, "HTTP_HX_TARGET": "item-edit"})
    assert saved["HX-Redirect"] == f"/taras/{tara.pk}/"
    tara.refresh_from_db()
    assert tara.header["item"] == item
    bad = {**values, "functions": "- [unclosed"}
    refused = client.post(f"/taras/{tara.pk}/item/", bad, **{**HX, "HTTP_HX_TARGET": "item-edit"})
    assert refused["HX-Retarget"] == "#item-edit"
    assert '<li data-for="functions">not valid YAML' in refused.content.decode()
    tara.refresh_from_db()
    assert tara.header["item"] == item
