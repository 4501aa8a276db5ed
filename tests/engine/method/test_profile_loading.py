"""Organisation profiles extend shipped ones; inconsistent tables are refused with a message."""

from __future__ import annotations

from pathlib import Path

import pytest

from opencsms.engine.errors import CatalogueError
from opencsms.engine.method import load_profile


def _write(tmp_path: Path, text: str, name: str = "org.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_organisation_profile_overrides_one_table(tmp_path: Path) -> None:
    _write(
        tmp_path,
        """
extends: iso21434
urn: urn:opencsms:method:acme
version: "1"
name: ACME
cal:
  annex_e:
    urn: urn:opencsms:table:acme:cal
    confidence: high
    matrix:
      negligible: {physical: 1, local: 1, adjacent: 2, network: 2}
""",
    )
    profile = load_profile("org.yaml", tmp_path)
    assert profile.urn == "urn:opencsms:method:acme"
    assert profile.cal_annex_e("negligible", "network") == 2
    assert profile.cal_annex_e("severe", "network") == 4  # inherited row
    assert profile.risk("severe", "high") == ("5", 5)  # inherited table


@pytest.mark.parametrize(
    ("override", "message"),
    [
        (
            "feasibility:\n  levels:\n    - {id: a, label: A, maps_to: high}\n"
            "    - {id: b, label: B, maps_to: low}\n",
            "must not go down",
        ),
        (
            "risk:\n  matrix:\n    severe: {very_low: 2, low: 3, medium: 4, high: 5, extreme: 5}\n",
            "exactly the columns",
        ),
        ("risk:\n  matrix:\n    severe: {very_low: 9, low: 3, medium: 4, high: 5}\n", "not a risk lev"),
        (
            "feasibility:\n  attack_potential:\n    thresholds:\n"
            "      - {min: 0, max: 9, feasibility: high}\n      - {min: 11, feasibility: low}\n",
            "gap or overlap",
        ),
        ("impact:\n  levels:\n    - {id: x, label: X, maps_to: catastrophic}\n", "maps to 'catastrophic'"),
        ("risk:\n  colour: red\n", "Extra inputs"),
        (
            "risk:\n  matrix:\n    major: {very_low: 1, low: 2, medium: 3, high: 2}\n",
            "must never lower the risk",
        ),
    ],
)
def test_inconsistent_profile_is_refused(tmp_path: Path, override: str, message: str) -> None:
    _write(tmp_path, f"extends: iso21434\nurn: urn:opencsms:method:bad\nversion: '1'\nname: Bad\n{override}")
    with pytest.raises(CatalogueError, match=message):
        load_profile("org.yaml", tmp_path)


def test_unknown_profile_names_the_shipped_ones(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match=r"iso21434, heavens-1\.0, evita"):
        load_profile("nope.yaml", tmp_path)


def test_extends_cycle_is_refused(tmp_path: Path) -> None:
    _write(tmp_path, "extends: b.yaml\n", "a.yaml")
    _write(tmp_path, "extends: a.yaml\n", "b.yaml")
    with pytest.raises(CatalogueError, match="nests deeper"):
        load_profile("a.yaml", tmp_path)
