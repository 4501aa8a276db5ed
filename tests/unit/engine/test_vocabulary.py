"""Each vocabulary of the TARA format has one source, and every list that restates it is held to it."""

from __future__ import annotations

from opencsms.engine.tara.diff import COLLECTIONS
from opencsms.engine.tara_as_code.build import ELEMENTS
from opencsms.engine.tara_as_code.schema import LISTS


def test_every_list_of_the_format_is_built_and_compared_by_id() -> None:
    assert sorted(ELEMENTS) == sorted(LISTS)
    assert tuple(k for k in LISTS if k != "annex5_not_applicable") == COLLECTIONS  # diffed by id
