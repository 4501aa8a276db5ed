"""Attack path search against brute force on small random graphs, and on a small architecture."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from opencsms.engine import evaluate, load_profile
from opencsms.engine.analysis.attack_paths import asset_paths, to_attack_path
from opencsms.engine.analysis.graph import ATTACKER, AttackGraph, Hop, build_graph
from opencsms.engine.analysis.paths import best_paths, k_best_paths
from opencsms.engine.tara import model as m

ISO = load_profile("iso21434")


@st.composite
def graphs(draw: st.DrawFn) -> tuple[AttackGraph, str]:
    """A random digraph of up to 7 nodes plus the attacker; hops carry random 3-factor potentials."""
    size = draw(st.integers(2, 7))
    nodes = [f"n{i}" for i in range(size)]
    graph = AttackGraph()
    graph.out[ATTACKER] = []
    edges = draw(st.sets(st.tuples(st.sampled_from([ATTACKER, *nodes]), st.sampled_from(nodes)), max_size=20))
    for source, target in sorted(edges):
        if source != target:
            potential = tuple(draw(st.integers(0, 9)) for _ in range(3))
            graph.add(Hop(source, target, f"{source}->{target}", None, {}, potential))
    return graph, nodes[-1]


def brute_force(graph: AttackGraph, target: str) -> list[int]:
    """Costs of every simple path from the attacker to the target, sorted."""
    costs: list[int] = []

    def walk(node: str, visited: set[str], vector: tuple[int, ...]) -> None:
        if node == target:
            costs.append(sum(vector))
            return
        for hop in graph.out.get(node, ()):
            if hop.target not in visited:
                walk(hop.target, visited | {hop.target}, tuple(map(max, vector, hop.potential)))

    walk(ATTACKER, {ATTACKER}, (0, 0, 0))
    return sorted(costs)


@settings(max_examples=300, deadline=None)
@given(graphs())
def test_best_path_equals_brute_force(case: tuple[AttackGraph, str]) -> None:
    graph, target = case
    expected = brute_force(graph, target)
    found = best_paths(graph, [target])
    if not expected:
        assert target not in found
        return
    assert found[target].total == expected[0]


@settings(max_examples=300, deadline=None)
@given(graphs(), st.integers(1, 6))
def test_k_best_paths_equal_brute_force(case: tuple[AttackGraph, str], k: int) -> None:
    graph, target = case
    found = k_best_paths(graph, target, k)
    assert [p.total for p in found] == brute_force(graph, target)[:k]
    assert len({p.nodes for p in found}) == len(found)  # distinct
    for path in found:
        assert len(set(path.nodes)) == len(path.nodes)  # simple
        assert path.nodes[0] == ATTACKER
        assert path.nodes[-1] == target
        assert all(a.target == b.source for a, b in pairwise(path.hops))


def _architecture() -> m.TaraModel:
    components = (
        m.Component("TCU", "Telematics", "ecu"),
        m.Component("GW", "Gateway", "gateway"),
        m.Component("BRK", "Brakes", "ecu"),
        m.Component("OBDC", "OBD socket", "ecu"),
    )
    interfaces = (
        m.Interface("CELL", "Cellular", "cellular", ("TCU",), external=True),
        m.Interface("OBD", "OBD-II", "obd", ("GW",), external=True),
        m.Interface("ETH", "Ethernet", "automotive_ethernet", ("TCU", "GW")),
        m.Interface("CAN", "Chassis CAN", "can", ("GW", "BRK"), controls=("SECOC",)),
    )
    assets = (m.Asset("A-BRK", "Brake request", ("integrity",), "BRK"),)
    controls = (m.Control("SECOC", "SecOC", raises={"knowledge_of_item": "strictly_confidential"}),)
    ds = (m.DamageScenario("DS", "Crash", {"safety": "severe"}),)
    return m.TaraModel(
        "t",
        "t",
        m.Item("t"),
        components=components,
        interfaces=interfaces,
        assets=assets,
        damage_scenarios=ds,
        controls=controls,
    )


def test_paths_through_an_architecture_honour_controls_and_gateways() -> None:
    model = _architecture()
    graph = build_graph(model, ISO)
    remote = ["entry:CELL", "component:TCU", "bus:ETH", "component:GW", "bus:CAN", "component:BRK"]
    local = ["entry:OBD", "component:GW", "bus:CAN", "component:BRK"]
    [before] = asset_paths(model, ISO, k=2, graph=graph)
    # before controls: remote keeps the window of opportunity unlimited (0); the OBD port needs moderate (4)
    assert [[h.target for h in p.hops] for p in before.paths] == [remote, local]
    assert [p.total for p in before.paths] == [
        4 + 6 + 7 + 0 + 0,
        4 + 6 + 7 + 4 + 0,
    ]  # gateway: confidential (7)
    [after] = asset_paths(model, ISO, k=2, graph=graph, residual=True)
    # with SecOC on the chassis CAN, knowledge of the item rises to strictly confidential (11)
    assert [p.total for p in after.paths] == [4 + 6 + 11 + 0 + 0, 4 + 6 + 11 + 4 + 0]
    into_brakes = after.paths[0].hops[-1]
    assert (into_brakes.factors["knowledge_of_item"], into_brakes.residual_factors["knowledge_of_item"]) == (
        "restricted",
        "strictly_confidential",
    )
    assert into_brakes.controls == ("SECOC",)
    assert before.paths[1].hops[1].factors["specialist_expertise"] == "expert"  # a gateway needs an expert
    assert [p.residual_total for p in before.paths] == [p.total for p in after.paths]


def test_a_path_becomes_an_attack_tree_rated_exactly_as_found() -> None:
    model = _architecture()
    graph = build_graph(model, ISO)
    [result] = asset_paths(model, ISO, k=3, graph=graph)
    paths = tuple(to_attack_path(p, graph, f"AP{i}") for i, p in enumerate(result.paths))
    threat = m.ThreatScenario("TS", "Forged brake request", "A-BRK", "integrity", ("DS",), attack_paths=paths)
    rated = evaluate(m.TaraModel(**{**model.__dict__, "threat_scenarios": (threat,)}), ISO).threats["TS"]
    assert [p.score for p in rated.paths] == [p.initial_total for p in result.paths]
    assert [p.feasibility for p in rated.paths] == [p.feasibility(ISO) for p in result.paths]
    assert [p.residual_score for p in rated.paths] == [
        p.residual_total for p in result.paths
    ]  # controls -> residual
    assert rated.vector == "network"  # the cellular entry is the most exposed of the paths


def test_an_unreachable_asset_has_no_path() -> None:
    model = _architecture()
    island = m.Component("ISLAND", "Isolated ECU", "ecu")
    model = m.TaraModel(
        **{
            **model.__dict__,
            "components": (*model.components, island),
            "assets": (*model.assets, m.Asset("A-ISL", "Island data", ("integrity",), "ISLAND")),
        }
    )
    results = {r.asset: r for r in asset_paths(model, ISO)}
    assert results["A-ISL"].paths == ()
    assert results["A-BRK"].paths
