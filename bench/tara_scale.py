"""Benchmark: evaluate synthetic full-vehicle TARAs at three sizes; print time and peak memory.

    python bench/tara_scale.py            # sizes 2,000 / 8,000 / 20,000 threat scenarios
    python bench/tara_scale.py --yaml     # also time reading the model from TARA-as-code YAML

Each threat scenario has one attack tree of 5 nodes (an AND over an OR of two steps, and a third step;
half the steps carry a residual rating), so 20,000 threat scenarios carry 100,000 attack-tree nodes.
Target (issue 2): the largest model evaluated in <= 1 s and <= 500 MB, in this process, on one core.
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import sys
import time
import tracemalloc

from opencsms.engine import evaluate, load_profile
from opencsms.engine.tara import model as m
from opencsms.engine.tara_as_code import dumps, parse

LEVELS = {
    "elapsed_time": ["one_day", "one_week", "one_month", "six_months", "beyond_six_months"],
    "specialist_expertise": ["layman", "proficient", "expert", "multiple_experts"],
    "knowledge_of_item": ["public", "restricted", "confidential", "strictly_confidential"],
    "window_of_opportunity": ["unlimited", "easy", "moderate", "difficult"],
    "equipment": ["standard", "specialized", "bespoke", "multiple_bespoke"],
}
KINDS = ["cellular", "bluetooth", "wifi", "can", "can_fd", "automotive_ethernet", "usb", "obd", "lin", "v2x"]
IMPACT = ["negligible", "moderate", "major", "severe"]


def _step(rng: random.Random, step_id: str, interface: str) -> m.Step:
    potential = {factor: rng.choice(levels) for factor, levels in LEVELS.items()}
    residual = m.Rating(attack_potential={"equipment": "bespoke"}) if rng.random() < 0.5 else None
    return m.Step(step_id, "step", m.Rating(attack_potential=potential), interface, (), residual)


def _path(rng: random.Random, path_id: str, interfaces: list[str]) -> m.AttackPath:
    steps = [_step(rng, f"{path_id}.{k}", rng.choice(interfaces)) for k in range(3)]
    choice = m.Gate(f"{path_id}.or", "either", "or", (steps[0], steps[1]))
    return m.AttackPath(path_id, "path", m.Gate(f"{path_id}.and", "all", "and", (choice, steps[2])))


def synthetic_model(threats: int, seed: int = 7) -> m.TaraModel:
    """A vehicle with threats/40 ECUs, 4 assets per ECU and 2 damage scenarios per asset."""
    rng = random.Random(seed)
    ecus = max(12, threats // 40)
    components = tuple(m.Component(f"ECU-{i}", f"ECU {i}", "ecu") for i in range(ecus))
    interfaces = tuple(
        m.Interface(f"IF-{i}", f"Bus {i}", KINDS[i % len(KINDS)], (f"ECU-{i}",)) for i in range(ecus)
    )
    assets = tuple(
        m.Asset(f"A-{i}", f"asset {i}", ("integrity", "availability", "confidentiality"), f"ECU-{i % ecus}")
        for i in range(ecus * 4)
    )
    damages = tuple(
        m.DamageScenario(
            f"DS-{i}",
            f"damage {i}",
            {c: rng.choice(IMPACT) for c in ("safety", "financial", "operational", "privacy")},
        )
        for i in range(len(assets) * 2)
    )
    goal = m.Goal("CG-1", "goal")
    interface_ids = [i.id for i in interfaces]
    scenarios = []
    for t in range(threats):
        paths = (_path(rng, f"AP-{t}", interface_ids),)
        treatment = m.TreatmentDecision((m.Treatment.REDUCE,), goals=("CG-1",))
        scenarios.append(
            m.ThreatScenario(
                f"TS-{t}",
                "threat",
                f"A-{t % len(assets)}",
                "integrity",
                (f"DS-{(2 * t) % len(damages)}", f"DS-{(2 * t + 1) % len(damages)}"),
                stride="T",
                attack_paths=paths,
                treatment=treatment,
            )
        )
    return m.TaraModel(
        "bench",
        "Synthetic vehicle",
        m.Item("Synthetic vehicle"),
        m.Method(acceptance=2),
        components=components,
        interfaces=interfaces,
        assets=assets,
        damage_scenarios=damages,
        threat_scenarios=tuple(scenarios),
        goals=(goal,),
        requirements=(m.Requirement("CR-1", "req", ("CG-1",), (), ("ECU-0",)),),
    )


def _nodes(node: m.Node) -> int:
    return 1 if isinstance(node, m.Step) else 1 + sum(_nodes(c) for c in node.children)


def measure(threats: int, with_yaml: bool) -> dict[str, float]:
    model = synthetic_model(threats)
    profile = load_profile("iso21434")
    nodes = sum(_nodes(p.tree) for t in model.threat_scenarios for p in t.attack_paths)
    evaluate(model, profile)  # warm caches (catalogues, profile)
    gc.collect()
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        result = evaluate(model, profile)
        best = min(best, time.perf_counter() - start)
    tracemalloc.start()
    evaluate(model, profile)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    figures = {
        "threats": threats,
        "nodes": nodes,
        "seconds": best,
        "peak_mb": peak / 2**20,
        "findings": len(result.findings),
    }
    if with_yaml:
        text = dumps(model).encode()
        start = time.perf_counter()
        parse(text, "bench.yaml")
        figures["yaml_mb"] = len(text) / 2**20
        figures["yaml_seconds"] = time.perf_counter() - start
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,8000,20000")
    parser.add_argument("--yaml", action="store_true", help="also time reading the model from YAML")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}; evaluation: best of 3; peak: tracemalloc during one evaluation")
    print(
        f"{'threat scenarios':>16} {'tree nodes':>10} {'evaluate s':>10} {'peak MB':>8}"
        + (f" {'YAML MB':>8} {'read s':>7}" if args.yaml else "")
    )
    failed = False
    for size in (int(s) for s in args.sizes.split(",")):
        f = measure(size, args.yaml)
        line = f"{f['threats']:>16,} {f['nodes']:>10,} {f['seconds']:>10.3f} {f['peak_mb']:>8.1f}"
        if args.yaml:
            line += f" {f['yaml_mb']:>8.1f} {f['yaml_seconds']:>7.2f}"
        print(line)
        failed |= f["nodes"] >= 100_000 and (f["seconds"] > 1.0 or f["peak_mb"] > 500)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"process peak RSS: {rss:.0f} MB; target for 100,000 nodes: <= 1 s and <= 500 MB: "
        + ("MISSED" if failed else "met")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
