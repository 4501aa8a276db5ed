"""The pictures of the pages through the test client: a threat scenario's attack trees drawn per path (each
node rated and linked to its row in the editor, the deciding path marked) and the architecture whose nodes
link to their elements' pages, in a frame that pans and zooms."""

from __future__ import annotations

import re

import pytest

from tests.factories.workspace import Workspace

pytestmark = pytest.mark.django_db
NODE = re.compile(r'<g class="tree-node" data-key="([^"]+)" data-deciding="(true|false)" data-gate="(\w+)">')


def _svg(page: str, testid: str) -> str:
    start = page.index(f'data-testid="{testid}"')
    return page[page.index("<svg", start) : page.index("</svg>", start)]


def test_each_attack_path_is_drawn_as_a_rated_tree_with_its_deciding_path(workspace: Workspace) -> None:
    tara = workspace.tara
    page = workspace.client("auditor").get(f"/taras/{tara.pk}/threat_scenarios/TS-10/").content.decode()
    svg = _svg(page, "tree-svg")  # AP-10a: AND(step, OR(step, step), step)
    nodes = {key: (deciding == "true", gate) for key, deciding, gate in NODE.findall(svg)}
    assert set(nodes) == {"root", "0", "1", "1.0", "1.1", "2"}
    assert nodes["root"] == (True, "and")
    assert nodes["1"] == (True, "or")
    assert nodes["0"][0]
    assert nodes["2"][0]
    assert [nodes["1.0"][0], nodes["1.1"][0]].count(True) == 1  # one child of the OR: the easiest
    potentials = dict(re.findall(r'data-key="(1\.[01])".*?potential (\d+)', svg))
    easiest = min(potentials, key=lambda key: int(potentials[key]))
    assert nodes[easiest][0]
    assert svg.count('class="gate"') == 2
    assert svg.count('class="tree-edge" data-deciding="true"') == 4
    assert svg.count('class="tree-edge"') == 5
    for key in nodes:  # a node leads to its row, where its editing actions are
        assert f'href="#tree-AP-10a-node-{key}"' in svg
        assert f'<li id="tree-AP-10a-node-{key}"' in page
    assert "style=" not in svg
    assert "<script" not in svg
    assert 'role="group" aria-label="Attack tree of AP-10a' in svg  # its links reachable


def test_a_threat_with_two_paths_has_two_pictures(workspace: Workspace) -> None:
    tara = workspace.tara
    page = workspace.client("auditor").get(f"/taras/{tara.pk}/threat_scenarios/TS-14/").content.decode()
    assert page.count('data-testid="tree-svg"') == 2
    cvss = _svg(page, "path-AP-14a")  # a single step rated by CVSS
    assert "exploitability" in cvss
    assert len(NODE.findall(cvss)) == 1


def test_the_architecture_nodes_link_to_their_elements_in_a_zoomable_frame(workspace: Workspace) -> None:
    client, tara = workspace.client("auditor"), workspace.tara
    page = client.get(f"/taras/{tara.pk}/architecture/").content.decode()
    svg = _svg(page, "architecture-svg")
    assert f'<a href="/taras/{tara.pk}/components/TCU/">' in svg
    assert f'<a href="/taras/{tara.pk}/interfaces/CELL/">' in svg  # an entry point: its interface
    assert f'<a href="/taras/{tara.pk}/interfaces/ETH-BB/">' in svg  # a bus: its interface
    assert svg.count("<a href=") == svg.count("data-node=")
    assert 'role="group" aria-label="Architecture"' in svg
    assert "data-zoom-in" in page
    assert "data-zoom-fit" in page
    assert "core/panzoom.js" in page
    opened = client.get(f"/taras/{tara.pk}/components/TCU/")
    assert opened.status_code == 200
    assert "TCU" in opened.content.decode()
