"""A TARA's element kinds are one list: the lists of the file format (`tara/1`) are the database's kinds."""

from __future__ import annotations

from opencsms.engine.tara_as_code.schema import LISTS
from opencsms.tara.models import Kind


def test_the_database_keeps_a_row_kind_per_list_of_the_file_format_in_its_order() -> None:
    assert tuple(Kind.values) == LISTS
