"""core.versions: the digest of a JSON value, entity tags in and out, the differences a conflict shows."""

from __future__ import annotations

import pytest

from opencsms.core import versions


def test_a_digest_follows_the_content_not_the_key_order() -> None:
    assert versions.digest({"a": 1, "b": [1, 2]}) == versions.digest({"b": [1, 2], "a": 1})
    assert versions.digest({"a": 1}) != versions.digest({"a": 2})
    assert len(versions.digest({})) == 16


@pytest.mark.parametrize(
    ("header", "version"),
    [('"3"', "3"), ('W/"ab12"', "ab12"), ("ab12", "ab12"), ("*", None), ("", None), (None, None)],
)
def test_if_match_values(header: str | None, version: str | None) -> None:
    assert versions.unquoted(header) == version


def test_quoted() -> None:
    assert versions.quoted(3) == '"3"'


def test_differences_name_each_field_that_differs_as_text() -> None:
    stored = {"name": "Theirs", "refs": ["A"], "same": "x", "gone": None}
    yours = {"name": "Mine", "refs": ["A", "B"], "same": "x", "gone": ""}
    assert versions.differences(stored, yours) == [
        ("name", "Theirs", "Mine"),
        ("refs", '["A"]', '["A", "B"]'),
    ]


def test_own_changes_are_the_fields_that_differ_from_the_base() -> None:
    base = {"name": "N", "description": "D", "refs": ["A"]}
    changes = {"name": "N", "description": "Mine", "refs": ["A"], "new": "x", "gone": None}
    assert versions.own_changes(changes, base) == {"description": "Mine", "new": "x"}
