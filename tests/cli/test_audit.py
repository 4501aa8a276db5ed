"""`opencsms audit verify` and `opencsms server manage` through the Typer app (CliRunner)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from opencsms.cli.main import app
from tests.factories.core import make_records, make_user, raw_sql

pytestmark = pytest.mark.django_db
runner = CliRunner()


def test_verify_an_intact_chain() -> None:
    make_records(make_user(), 4)
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "4 records, chain intact"


def test_verify_an_empty_chain() -> None:
    result = runner.invoke(app, ["audit", "verify"])
    assert (result.exit_code, result.output.strip()) == (0, "0 records, chain intact")


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        ("UPDATE core_changerecord SET object_repr = 'other' WHERE seq = 2", "record #2: its content"),
        ("DELETE FROM core_changerecord WHERE seq = 3", "records #3 are missing (deleted)"),
        ("UPDATE core_changerecord SET hash = prev_hash WHERE seq = 4", "record #4: its content"),
    ],
)
def test_verify_lists_the_problems_and_exits_1(tamper: str, expected: str) -> None:
    make_records(make_user(), 5)
    raw_sql(tamper)
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert "problems:" in result.output
    assert expected in result.output


def test_manage_passes_arguments_through_to_django() -> None:
    result = runner.invoke(app, ["server", "manage", "showmigrations", "core", "--plan"])
    assert result.exit_code == 0, result.output
    assert "core.0001_initial" in result.output
