"""The structured create forms of the other kinds (components, interfaces, data flows, goals, claims,
controls, requirements, Annex 5 not applicable), drawn from one field spec: pickers offer the list the
engine's reference table names, word lists show their labels, each kind is created from its form data,
and a refusal is named beside its field with nothing created."""

from __future__ import annotations

import pytest

from opencsms.core.audit import AuditAction
from opencsms.core.models import ChangeRecord
from opencsms.engine.tara.references import REFERENCES
from opencsms.tara.models import Element
from opencsms.tara.selectors.create_spec import SPECS, target
from tests.factories.workspace import Workspace

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "new-element"}

CASES: dict[str, tuple[dict[str, object], dict[str, object]]] = {
    "components": (
        {
            "id": "C-90",
            "name": "Seat ECU",
            "kind": "ecu",
            "description": " Moves seats ",
            "controls": ["CTL-01"],
        },
        {
            "id": "C-90",
            "name": "Seat ECU",
            "kind": "ecu",
            "description": "Moves seats",
            "controls": ["CTL-01"],
        },
    ),
    "interfaces": (
        {"id": "I-90", "name": "Seat CAN", "kind": "can", "components": ["CGW", "TCU"], "external": "on"},
        {"id": "I-90", "name": "Seat CAN", "kind": "can", "components": ["CGW", "TCU"], "external": True},
    ),
    "data_flows": (
        {"id": "DF-90", "source": "CGW", "target": "TCU", "interface": "ETH-BB", "data": "logs"},
        {"id": "DF-90", "source": "CGW", "target": "TCU", "interface": "ETH-BB", "data": "logs"},
    ),
    "goals": ({"id": "CG-90", "name": "Keep seats safe"}, {"id": "CG-90", "name": "Keep seats safe"}),
    "claims": (
        {"id": "CL-90", "text": "The seat is out of reach"},
        {"id": "CL-90", "text": "The seat is out of reach"},
    ),
    "controls": (
        {"id": "CTL-90", "name": "Seat MAC", "mitigations": ["M10", "M11"]},
        {"id": "CTL-90", "name": "Seat MAC", "mitigations": ["M10", "M11"]},
    ),
    "requirements": (
        {
            "id": "CR-90",
            "text": "Sign seat frames",
            "goals": ["CG-01"],
            "controls": ["CTL-01"],
            "components": ["CGW"],
        },
        {
            "id": "CR-90",
            "text": "Sign seat frames",
            "goals": ["CG-01"],
            "controls": ["CTL-01"],
            "components": ["CGW"],
        },
    ),
    "annex5_not_applicable": (
        {"id": "4.1", "rationale": "No such function"},
        {"id": "4.1", "rationale": "No such function"},
    ),
}


def _new(workspace: Workspace, kind: str, data: dict[str, object]) -> tuple[int, str, str]:
    response = workspace.client("engineer").post(f"/taras/{workspace.tara.pk}/{kind}/new/fields/", data, **HX)
    return response.status_code, response.get("HX-Redirect", ""), response.content.decode()


def test_every_kind_without_a_form_of_its_own_has_a_spec() -> None:
    assert set(SPECS) | {"assets", "damage_scenarios", "threat_scenarios"} == set(CASES) | {
        "assets",
        "damage_scenarios",
        "threat_scenarios",
    }
    for kind, specs in SPECS.items():
        for spec in specs:
            if spec.widget in ("one", "many"):
                assert spec.name in {name for name, _, _ in REFERENCES[kind]}, (kind, spec.name)
    assert target("requirements", "goals") == "goals"
    assert target("data_flows", "interface") == "interfaces"


def test_the_pickers_offer_the_referred_to_list_and_labels(workspace: Workspace) -> None:
    client, tara = workspace.client("engineer"), workspace.tara
    flows = client.get(f"/taras/{tara.pk}/data_flows/").content.decode()
    assert '<select id="new-interface" name="interface" required>' in flows
    assert '<option value="ETH-BB">ETH-BB ' in flows
    components = client.get(f"/taras/{tara.pk}/components/").content.decode()
    assert '<option value="ecu">' in components
    assert '<option value="CTL-01">CTL-01 ' in components
    assert "New component as YAML (the expert" in components
    annex = client.get(f"/taras/{tara.pk}/annex5_not_applicable/").content.decode()
    assert '<option value="M10">M10 ' in annex
    reader = workspace.client("auditor").get(f"/taras/{tara.pk}/goals/").content.decode()
    assert 'data-testid="new-element-form"' not in reader


@pytest.mark.parametrize("kind", list(CASES))
def test_each_kind_is_created_from_its_form(workspace: Workspace, kind: str) -> None:
    sent, stored = CASES[kind]
    status, go, body = _new(workspace, kind, sent)
    ref = str(sent["id"])
    assert (status, go) == (200, f"/taras/{workspace.tara.pk}/{kind}/{ref}/"), body
    assert Element.objects.get(tara=workspace.tara, kind=kind, ref=ref).data == stored
    record = ChangeRecord.objects.order_by("-seq").first()
    assert record is not None
    assert (record.action, record.actor_id) == (AuditAction.ELEMENT_CREATED, workspace.users["engineer"].pk)


@pytest.mark.parametrize(
    ("kind", "data", "field", "message"),
    [
        ("components", {"id": "C-91", "name": "x"}, "kind", "choose one"),
        ("interfaces", {"id": "I-91", "name": "x", "kind": "can"}, "components", "pick one or more"),
        ("claims", {"id": "CL-91"}, "text", "fill it in"),
        ("goals", {"name": "x"}, "id", "give the new element an id"),
        ("requirements", {"id": "CR-91", "text": "x", "goals": ["CG-NOPE"]}, "goals", ""),
        (
            "data_flows",
            {"id": "DF-91", "source": "CGW", "target": "TCU", "interface": "NOPE"},
            "interface",
            "",
        ),
        ("components", {"id": "CGW", "name": "x", "kind": "ecu"}, "id", "CGW is taken"),
    ],
)
def test_refusals_are_named_beside_their_field_and_nothing_is_created(
    workspace: Workspace, kind: str, data: dict[str, object], field: str, message: str
) -> None:
    before = Element.objects.filter(tara=workspace.tara).count()
    status, go, body = _new(workspace, kind, data)
    assert (status, go) == (200, "")
    assert f'<li data-for="{field}">{message}' in body
    assert Element.objects.filter(tara=workspace.tara).count() == before
