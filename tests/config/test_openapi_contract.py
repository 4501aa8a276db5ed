"""The API contract is committed (tests/golden/api/openapi.json): a change to it must be deliberate.

Refresh after an intended change with `pytest tests/config/test_openapi_contract.py --update-golden` and
review the diff like any other API change.
"""

from __future__ import annotations

import json

import pytest

from opencsms.config.api import api
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
