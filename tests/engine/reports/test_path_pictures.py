"""Attack paths of one asset with their pictures (the web workspace's view): ranked like `k_best_paths`,
rated like the report, each picture well-formed with exactly the path's hops highlighted, including paths
that cross an external channel shared by several components (drawn as its entry point)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from opencsms.engine import RuleViolation, TaraResult, evaluate
from opencsms.engine.analysis.attack_paths import asset_paths, paths_for_threat
from opencsms.engine.reports.path_pictures import architecture_svg, asset_path_pictures
from opencsms.engine.tara_as_code import load_file
from tests.paths import REFERENCE


@pytest.fixture(scope="module")
def reference() -> TaraResult:
    return evaluate(*load_file(REFERENCE))


def _svg(markup: str) -> ET.Element:
    return ET.fromstring(markup.replace("<svg ", '<svg xmlns:xlink="x" ', 1))  # noqa: S314 - our own output


def test_the_k_best_paths_of_an_asset_each_with_its_highlighted_hops(reference: TaraResult) -> None:
    [found] = asset_path_pictures(reference, "A-01", 3)
    [expected] = asset_paths(reference.model, reference.profile, "A-01", 3)
    assert (found.asset, found.component, found.threats) == ("A-01", "TCU", ("TS-08",))
    assert len(found.paths) == len(expected.paths) == 3
    for picture, path in zip(found.paths, expected.paths, strict=True):
        assert picture.potential == path.initial_total
        assert picture.residual_potential == path.residual_total
        hops = [e for e in _svg(picture.svg).iter() if e.attrib.get("class") == "hop"]
        assert len(hops) == len(path.hops)
        assert len(picture.steps) == len(path.hops) - 1  # the attacker reaching the entry is no step
    crossing = found.paths[1]  # back end -> cellular (a channel it shares with the TCU) -> TCU
    assert crossing.route == "INET → BACKEND → CELL → TCU"
    targets = [e.attrib["data-target"] for e in _svg(crossing.svg).iter() if e.attrib.get("class") == "hop"]
    assert targets == ["entry:INET", "component:BACKEND", "entry:CELL", "component:TCU"]


def test_every_asset_without_pictures_and_errors_named(reference: TaraResult) -> None:
    every = asset_path_pictures(reference, None, 1, drawn=False)
    assert len(every) == len([a for a in reference.model.assets if a.component])
    assert all(p.svg == "" for a in every for p in a.paths)
    with pytest.raises(RuleViolation, match="asset 'NOPE' does not exist"):
        asset_path_pictures(reference, "NOPE", 1)


def test_the_architecture_alone(reference: TaraResult) -> None:
    svg = _svg(architecture_svg(reference))
    nodes = {g.attrib["data-node"] for g in svg.iter("g") if "data-node" in g.attrib}
    assert {f"component:{c.id}" for c in reference.model.components} <= nodes
    assert not [e for e in svg.iter() if e.attrib.get("class") == "hop"]


def test_paths_for_a_threat_are_numbered_after_its_own(reference: TaraResult) -> None:
    paths = paths_for_threat(reference.model, reference.profile, "TS-08", 2)
    assert [p.id for p in paths] == ["TS-08.AP1", "TS-08.AP2"]
    with pytest.raises(RuleViolation, match="no threat scenario 'TS-999'"):
        paths_for_threat(reference.model, reference.profile, "TS-999", 1)
