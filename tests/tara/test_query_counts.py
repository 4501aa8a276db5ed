"""The TARA pages make as many queries for 20 rows as for 1, and a list of 20,000 threat scenarios loads
one page of them (no per-row query, no loading of every row)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from opencsms.core.models import User
from opencsms.organisation.models import Role
from opencsms.tara import selectors, services
from opencsms.tara.models import Element, Kind, Tara
from tests.factories.core import make_user
from tests.factories.organisation import make_membership, make_project

pytestmark = pytest.mark.django_db
EASY = {
    "elapsed_time": "one_day",
    "specialist_expertise": "layman",
    "knowledge_of_item": "public",
    "window_of_opportunity": "unlimited",
    "equipment": "standard",
}


def document(threats: int, ref: str = "t") -> bytes:
    data: dict[str, Any] = {
        "opencsms": "tara/1",
        "id": ref,
        "name": f"TARA {ref}",
        "version": "1",
        "item": {"name": "Item"},
        "components": [{"id": "ECU", "name": "ECU", "kind": "ecu"}],
        "assets": [{"id": "A-1", "name": "Asset", "properties": ["integrity"], "component": "ECU"}],
        "damage_scenarios": [{"id": "DS-1", "name": "Damage", "impact": {"safety": "severe"}}],
        "threat_scenarios": [
            {
                "id": f"TS-{n}",
                "name": f"Threat {n}",
                "asset": "A-1",
                "property": "integrity",
                "damage_scenarios": ["DS-1"],
                "attack_paths": [
                    {
                        "id": f"AP-{n}",
                        "name": "path",
                        "tree": {"name": "step", "attack_potential": dict(EASY)},
                    }
                ],
            }
            for n in range(threats)
        ],
    }
    return json.dumps(data).encode()  # JSON is YAML (and has no aliases)


def engineer_with_project() -> tuple[User, int]:
    engineer, project = make_user(), make_project()
    make_membership(engineer, project, Role.ENGINEER)
    return engineer, project.pk


def import_doc(engineer: User, project_id: int, threats: int, ref: str = "t") -> Tara:
    return services.import_tara(actor=engineer, project_id=project_id, raw=document(threats, ref))


def threat_list(rows: int) -> tuple[User, str]:
    engineer, project_id = engineer_with_project()
    tara = import_doc(engineer, project_id, rows)
    return engineer, f"/taras/{tara.pk}/threat_scenarios/?sort=-risk&q=TS"


def project_taras(rows: int) -> tuple[User, str]:
    engineer, project_id = engineer_with_project()
    for n in range(rows):
        import_doc(engineer, project_id, 1, f"t{n}")
    return engineer, f"/projects/{project_id}/taras/"


def dashboard(rows: int) -> tuple[User, str]:
    engineer, project_id = engineer_with_project()
    for n in range(rows):
        import_doc(engineer, project_id, 1, f"t{n}")
    return engineer, "/"


def generated_list(rows: int) -> tuple[User, str]:
    """The generation page listing `rows` generated threat scenarios (provenance written as a file has it)."""
    engineer, project_id = engineer_with_project()
    tara = import_doc(engineer, project_id, rows)
    for element in Element.objects.filter(tara=tara, kind=Kind.THREAT_SCENARIO):
        element.data = {**element.data, "status": "proposed", "generated": {"rule": "R", "asset": "A-1"}}
        element.status = "proposed"
        element.save(update_fields=["data", "status"])
    assert selectors.generated_threats(tara, "proposed").count() == rows
    return engineer, f"/taras/{tara.pk}/generation/?state=proposed"


def queries(build: Callable[[int], tuple[User, str]], rows: int, **headers: str) -> int:
    user, path = build(rows)
    client = Client()
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path, **headers).status_code == 200
    return len(captured)


@pytest.mark.parametrize("build", [threat_list, project_taras, dashboard, generated_list])
@pytest.mark.parametrize("headers", [{}, {"HTTP_HX_REQUEST": "true"}], ids=["page", "partial"])
def test_as_many_queries_for_20_rows_as_for_1(
    build: Callable[[int], tuple[User, str]], headers: dict[str, str]
) -> None:
    assert queries(build, 1, **headers) == queries(build, 20, **headers)


def test_a_list_of_20000_threat_scenarios_loads_one_page(client: Client) -> None:
    engineer, project_id = engineer_with_project()
    tara = import_doc(engineer, project_id, 1)
    threat = Element.objects.get(tara=tara, kind=Kind.THREAT_SCENARIO)
    Element.objects.bulk_create(
        (
            Element(
                tara=tara,
                kind=Kind.THREAT_SCENARIO,
                ref=f"X-{n}",
                position=n + 1,
                data=threat.data,
                label=f"Threat {n}",
                risk=1 + n % 5,
                feasibility="high",
                impact="severe",
                status="untreated",
            )
            for n in range(20_000)
        ),
        batch_size=2000,
    )
    client.force_login(engineer)
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/taras/{tara.pk}/threat_scenarios/", {"sort": "-risk", "page": "7"})
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    body = response.content.decode()
    assert "page 7 of 401" in body
    assert body.count("<tr data-ref=") == 50
    assert elapsed < 3, f"the list took {elapsed:.2f}s"
    rows = [q["sql"] for q in captured if "tara_element" in q["sql"] and "LIMIT" in q["sql"]]
    assert any("LIMIT 50" in sql for sql in rows), rows
