"""The API contract is committed (tests/golden/api/openapi.json): a change to it must be deliberate.

Refresh after an intended change with `pytest tests/config/test_openapi_contract.py --update-golden` and
review the diff like any other API change.
"""

from __future__ import annotations

import json
import typing
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from pydantic import BaseModel

from opencsms.config.api import api
from opencsms.organisation.api import V1_IDS
from tests.factories.core import make_admin
from tests.golden_files import compare_golden
from tests.paths import GOLDEN


@pytest.mark.golden
def test_openapi_schema_matches_the_committed_contract(update_golden: bool) -> None:
    schema = api.get_openapi_schema()
    text = json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    compare_golden(GOLDEN / "api" / "openapi.json", text.encode(), update_golden)


def test_every_operation_requires_authentication() -> None:
    schema = api.get_openapi_schema()
    operations = [(path, method, op) for path, item in schema["paths"].items() for method, op in item.items()]
    assert operations
    open_ones = [(path, method) for path, method, op in operations if not op.get("security")]
    assert open_ones == []


def _models(annotation: Any) -> Iterator[type[BaseModel]]:
    """Every pydantic model an annotation names, through lists, unions and dicts."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in typing.get_args(annotation):
        yield from _models(arg)


def _reachable() -> set[type[BaseModel]]:
    """The models of every operation's input and answers, and the models their fields name."""
    todo: list[type[BaseModel]] = []
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                todo += [m for m in operation.response_models.values() if isinstance(m, type)]
                todo += list(operation.models)
    seen: set[type[BaseModel]] = set()
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.add(model)
        for field in model.model_fields.values():
            todo += _models(field.annotation)
    return seen


def test_no_two_models_share_a_schema_name() -> None:
    by_name: dict[str, set[str]] = {}
    for model in _reachable():
        by_name.setdefault(model.__name__, set()).add(f"{model.__module__}.{model.__qualname__}")
    shared = {name: sorted(where) for name, where in by_name.items() if len(where) > 1}
    assert shared == {}
    names = set(api.get_openapi_schema()["components"]["schemas"])
    assert {"PathOut", "FindingOut", "RankedPathOut", "RuleFindingOut"} <= names


def _operations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in api.get_openapi_schema()["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_every_operation_declares_its_error_answers_with_the_error_schema() -> None:
    error = {"$ref": "#/components/schemas/ErrorOut"}
    stale = {"anyOf": [{"$ref": "#/components/schemas/StaleOut"}, error], "title": "Response"}
    stale_many = {"anyOf": [{"$ref": "#/components/schemas/StaleManyOut"}, error], "title": "Response"}
    for path, method, operation in _operations():
        answers = operation["responses"]
        expected = {"401"} | ({"404"} if "{" in path else set())
        expected |= {"400", "422"} if "requestBody" in operation else set()
        expected |= {"403", "409"} if method != "get" else set()
        declared = {str(code) for code in answers if str(code).startswith("4")}
        assert expected <= declared, (method, path, declared)
        for code in declared:
            schema = answers[code if code in answers else int(code)]["content"]["application/json"]["schema"]
            # a versioned write's 409: stale (an ErrorOut with the stored version and the differing
            # fields; of many objects: naming each stale one) or a plain conflict
            allowed = (stale, stale_many) if code == "409" else ()
            assert schema == (schema if schema in allowed else error), (method, path, code)
    schemas = api.get_openapi_schema()["components"]["schemas"]
    assert set(schemas["ErrorOut"]["required"]) == {"code", "detail"}
    assert {"code", "detail"} < set(schemas["StaleOut"]["required"])


def test_downloads_are_documented_with_their_media_types() -> None:
    paths = api.get_openapi_schema()["paths"]
    export = paths["/api/v1/taras/{tara_id}/export"]["get"]["responses"]
    assert set(export[200]["content"]) == {"application/yaml"}
    report = paths["/api/v1/taras/{tara_id}/report"]["get"]["responses"]
    assert {"text/html", "application/pdf"} <= set(report[200]["content"])
    assert "application/json" not in report[200]["content"] or len(report[200]["content"]) > 1


def test_the_v1_operation_ids_are_kept() -> None:
    ids = {operation["operationId"] for _path, _method, operation in _operations()}
    assert {V1_IDS + "list_organisations", V1_IDS + "list_members", V1_IDS + "remove_member"} <= ids


@pytest.mark.django_db
def test_an_unknown_api_path_answers_a_json_404() -> None:
    for client in (Client(), _signed_in()):
        response = client.get("/api/v1/nope")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
        assert "/api/v1/nope" in response.json()["detail"]
    assert "application/json" not in _signed_in().get("/nope/").get("Content-Type", "")


def _signed_in() -> Client:
    client = Client()
    client.force_login(make_admin())
    return client
