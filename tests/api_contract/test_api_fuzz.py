"""A bounded property-based fuzz run of the whole API (schemathesis over the committed OpenAPI description).

Every operation gets `EXAMPLES` generated requests, most with path ids that exist in the demo data, some
schema-valid, some not, sent to the application in this process as a superuser with a token. Each answer
must be no server error, a status code the operation declares, the documented content type and a body
valid against the declared schema; the same request without valid credentials must be refused (401/403).
Schema-invalid input is not required to be refused: Ninja's models read leniently (pydantic's lax mode
takes 0 for false and "7" for 7), so only its answer is checked, like any other.
"""

from __future__ import annotations

import os
from typing import Any
from unittest import mock

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup, ServerError
from schemathesis.generation import GenerationMode
from schemathesis.openapi.checks import UndefinedStatusCode
from schemathesis.schemas import APIOperation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_schema_conformance,
    status_code_conformance,
)

from opencsms.config.api import api
from opencsms.core.errors import Conflict
from tests.api_contract.conftest import World

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("OPENCSMS_FUZZ_EXAMPLES", "20"))
# the same requests on every run (CI must not flake); OPENCSMS_FUZZ_RANDOM=1 explores new ones
RANDOM = os.environ.get("OPENCSMS_FUZZ_RANDOM") == "1"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    ignored_auth,
]
SCHEMA = schemathesis.openapi.from_dict(api.get_openapi_schema())
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


def _cases(operation: APIOperation, known: dict[str, list[Any]]) -> st.SearchStrategy[Any]:
    """Three in four requests name objects that exist (else nearly every answer would be a 404); one in
    four of all requests is schema-invalid."""
    names = [parameter.name for parameter in operation.path_parameters]
    existing = {name: st.sampled_from(known[name]) for name in names if name in known}
    valid, invalid = GenerationMode.POSITIVE, GenerationMode.NEGATIVE
    if not existing:
        return st.one_of(*[operation.as_strategy(valid)] * 3, operation.as_strategy(invalid))

    def at(mode: GenerationMode) -> st.SearchStrategy[Any]:
        return st.fixed_dictionaries(existing).flatmap(
            lambda ids: operation.as_strategy(mode, path_parameters=ids)
        )

    return st.one_of(at(valid), at(valid), operation.as_strategy(valid), at(invalid))


def fuzz(operation: APIOperation, world: World, app: WSGIHandler, examples: int = EXAMPLES) -> None:
    """Send `examples` generated requests to `operation`; raise on the first answer that breaks a check."""
    SCHEMA.app = app
    sent = {"app": app, "headers": world.headers}

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=not RANDOM,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=_cases(operation, world.known))
    def answer_keeps_the_contract(case: Any) -> None:
        response = case.call(app=app, headers=world.headers)
        case.validate_response(response, checks=CHECKS, headers=world.headers, transport_kwargs=sent)

    answer_keeps_the_contract()


@pytest.mark.parametrize("operation", OPERATIONS, ids=[operation.label for operation in OPERATIONS])
def test_the_api_keeps_its_contract(operation: APIOperation, world: World, wsgi_app: WSGIHandler) -> None:
    fuzz(operation, world, wsgi_app)


def _operation(label: str) -> APIOperation:
    return next(operation for operation in OPERATIONS if operation.label == label)


def test_the_run_fails_on_a_server_error(world: World, wsgi_app: WSGIHandler) -> None:
    broken = mock.patch("opencsms.vulns.selectors.notifications", side_effect=RuntimeError("broken"))
    with broken, pytest.raises(FailureGroup) as raised:
        fuzz(_operation("GET /api/v1/notifications"), world, wsgi_app, examples=3)
    assert raised.group_contains(ServerError)


def test_the_run_fails_on_an_undeclared_answer(world: World, wsgi_app: WSGIHandler) -> None:
    """A listing declares no 409: a conflict from it is an answer clients are not told about."""
    refused = mock.patch("opencsms.vulns.selectors.notifications", side_effect=Conflict("not now"))
    with refused, pytest.raises(FailureGroup) as raised:
        fuzz(_operation("GET /api/v1/notifications"), world, wsgi_app, examples=3)
    assert raised.group_contains(UndefinedStatusCode)
    assert not raised.group_contains(ServerError)
