"""Benchmark: OpenCSMS threat generation + evaluation against OWASP pytm on the same synthetic architecture.

    .venv/bin/python bench/threatgen_vs_pytm.py                    # sizes 150, 500, 1,500 components
    .venv/bin/python bench/threatgen_vs_pytm.py --sizes 150 --skip-pytm

The architecture (N components, 3 data flows each) is built once as plain data and expressed twice:
as an OpenCSMS TaraModel here, and as a pytm model by bench/pytm_side.py in the benchmark's own venv
(bench/.venv-pytm, created on first run with `pip install pytm`; pytm is no dependency of OpenCSMS).
OpenCSMS: build the model, `propose` with the shipped rules, `first_paths` (the best attack path each),
`evaluate` with the ISO/SAE 21434 profile; findings = threat scenarios. pytm: build, `check`, `resolve`;
findings = `tm.findings`. Rules, profile and pytm's threat library are loaded outside the timing.
Targets (issue): >= 10x pytm's findings per second; attack paths for every asset of 150 components <= 1 s.
A benchmark reports: the exit code is 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from opencsms.engine import evaluate, load_profile
from opencsms.engine.analysis.attack_paths import asset_paths
from opencsms.engine.method import MethodProfile
from opencsms.engine.tara import model as m
from opencsms.engine.threatgen import Proposal, RuleSet, first_paths, load_rules, propose

BENCH = Path(__file__).resolve().parent
PYTM_VENV = BENCH / ".venv-pytm"
PYTM_SIDE = BENCH / "pytm_side.py"
DOMAIN = 12  # components per domain: a gateway, ~9 ECUs, ~2 sensors on one CAN bus

# asset tag -> name, properties, stored at rest, impact per category (0 negligible .. 3 severe)
ASSETS: dict[str, tuple[str, tuple[str, ...], bool, str]] = {
    "firmware": ("firmware", ("integrity", "availability"), True, "2130"),
    "message": ("messages", ("integrity", "authenticity", "availability"), False, "1020"),
    "safety_command": ("actuator commands", ("integrity", "authenticity", "availability"), False, "3130"),
    "calibration": ("calibration", ("integrity",), True, "1120"),
    "key": ("keys", ("confidentiality", "integrity"), True, "2221"),
    "configuration": ("routing tables", ("integrity",), True, "2120"),
    "log": ("security log", ("integrity",), True, "0110"),
    "sensor_data": ("measurements", ("integrity", "availability"), False, "3020"),
    "location": ("trip data", ("confidentiality", "integrity"), True, "0002"),
    "vehicle_id": ("VIN", ("integrity",), True, "0211"),
    "remote_function": ("remote unlock", ("authenticity",), False, "1210"),
    "personal_data": ("user profiles", ("confidentiality",), True, "0103"),
    "credential": ("account credentials", ("confidentiality",), True, "0212"),
    "charging_data": ("charging session", ("integrity",), False, "1210"),
    "odometer": ("odometer", ("integrity",), True, "0200"),
    "update_package": ("update packages", ("integrity", "authenticity"), False, "2230"),
}
CATEGORIES = ("safety", "financial", "operational", "privacy")
LEVELS = ("negligible", "moderate", "major", "severe")
SPECIAL = {  # rank in domain 0 -> (name, extra assets, component tags)
    1: ("Telematics unit", ("location", "vehicle_id", "remote_function"), ("update_client",)),
    2: ("Infotainment", ("personal_data", "credential"), ("app_platform",)),
    3: ("Charging ECU", ("charging_data",), ()),
    4: ("Instrument cluster", ("odometer",), ()),
}


# -- the synthetic architecture as plain data, shared by both sides -------------------------------------


def _asset(component: str, name: str, tag: str) -> dict[str, Any]:
    label, properties, stored, _ = ASSETS[tag]
    tags = ["message", tag] if tag == "safety_command" else [tag]
    values = (f"A-{component}-{tag}", f"{label} of {name}", list(properties), tags, stored)
    return dict(zip(("id", "name", "properties", "tags", "stored"), values, strict=True))


def _node(
    cid: str, name: str, kind: str, domain: int | None, assets: tuple[str, ...], *, tags: tuple[str, ...]
) -> dict[str, Any]:
    """A component; the back end (no domain) is outside the vehicle."""
    zone = "backend" if domain is None else "vehicle"
    keys = ("id", "name", "kind", "tags", "zone", "domain", "assets")
    values = (cid, name, kind, list(tags), zone, domain, [_asset(cid, name, tag) for tag in assets])
    return dict(zip(keys, values, strict=True))


def _component(i: int, domains: int) -> dict[str, Any]:
    """Vehicle component i: domain i % domains, rank i // domains (0: gateway, every 6th: sensor)."""
    domain, rank = i % domains, i // domains
    if rank == 0:
        cid, kind, name, tags = f"GW{domain}", "gateway", f"Gateway {domain}", ()
        assets = ("firmware", "message", "configuration", "key", "log")
    elif rank % 6 == 0:
        cid, kind, name, tags, assets = f"SEN{i}", "sensor", f"Sensor {i}", (), ("firmware", "sensor_data")
    else:
        cid, kind, name = f"ECU{i}", "ecu", f"ECU {i}"
        tags = ("update_client",) if i % 2 == 0 else ()
        assets = ("firmware", "safety_command" if i % 4 == 0 else "message")
        assets += ("calibration",) * (i % 2 == 0) + ("key",) * (i % 5 == 0)
        if domain == 0 and rank in SPECIAL:
            name, extra, tags = SPECIAL[rank]
            assets += extra
    return _node(cid, name, kind, domain, assets, tags=tags)


def _backend() -> dict[str, Any]:
    assets = ("update_package", "personal_data", "credential", "vehicle_id", "log")
    return _node("BE", "Back end", "backend", None, assets, tags=("cloud",))


def _externals(components: list[dict[str, Any]], domains: int) -> list[dict[str, Any]]:
    tcu, ivi, charger = (f"ECU{rank * domains}" for rank in (1, 2, 3))
    fixed = [
        ("X-CELL", "Cellular", "cellular", [tcu, "BE"], "Mobile network"),
        ("X-NET", "Back-end API", "internet", ["BE"], "Internet user"),
        ("X-WIFI", "Wi-Fi", "wifi", [tcu], "Wi-Fi client"),
        ("X-BT", "Bluetooth", "bluetooth", [ivi], "Paired phone"),
        ("X-USB", "USB", "usb", [ivi], "USB device"),
        ("X-OBD", "OBD-II", "obd", ["GW0"], "Diagnostic tester"),
        ("X-CHG", "Charging", "charging", [charger], "Charging station"),
    ]
    fields = [
        (f"X-FOV-{c['id']}", f"Field of view of {c['name']}", "sensor_field", [c["id"]], "Road scene")
        for c in components
        if c["kind"] == "sensor"
    ]
    keys = ("id", "name", "kind", "components", "actor")
    return [dict(zip(keys, x, strict=True)) for x in fixed + fields]


def _route(c: dict[str, Any], k: int, members: list[dict[str, Any]], domains: int) -> tuple[str, str, str]:
    """Flow k of component c: target, interface and protocol."""
    if c["domain"] is None:  # the back end talks to the telematics unit
        return f"ECU{domains}", "X-CELL", "cellular"
    if k == 0 and c["kind"] == "gateway" and domains > 1:
        return f"GW{(c['domain'] + 1) % domains}", "ETH", "automotive_ethernet"
    target = members[(members.index(c) + k + 1) % len(members)]["id"]
    return target, f"CAN{c['domain']}", "can"


def _flows(components: list[dict[str, Any]], domains: int) -> list[dict[str, Any]]:
    """3 flows per component: to the next 3 members of its domain on the domain's CAN bus (a gateway's
    first one to the next gateway on the Ethernet backbone); the back end's 3 to the telematics unit."""
    members: dict[int | None, list[dict[str, Any]]] = {}
    for c in components:
        members.setdefault(c["domain"], []).append(c)
    keys = ("id", "source", "target", "interface", "protocol", "data")
    flows = []
    for c in components:
        sent = [a["id"] for a in c["assets"] if not a["stored"]] or [c["assets"][0]["id"]]
        for k in range(3):
            route = _route(c, k, members[c["domain"]], domains)
            values = (f"F-{c['id']}-{k}", c["id"], *route, sent[k % len(sent)])
            flows.append(dict(zip(keys, values, strict=True)))
    return flows


def _buses(components: list[dict[str, Any]], domains: int) -> list[dict[str, Any]]:
    """A CAN bus per domain, and an Ethernet backbone joining the gateways."""
    on: dict[int, list[str]] = {}
    for c in components:
        if c["domain"] is not None:
            on.setdefault(c["domain"], []).append(c["id"])
    buses = [
        {"id": f"CAN{d}", "name": f"CAN {d}", "kind": "can", "components": on[d]} for d in range(domains)
    ]
    gateways = [f"GW{d}" for d in range(domains)]
    buses.append(
        {"id": "ETH", "name": "Ethernet backbone", "kind": "automotive_ethernet", "components": gateways}
    )
    return buses


def architecture(n: int) -> dict[str, Any]:
    """N components: one back end, and n - 1 vehicle components in domains of about 12."""
    domains = max(1, (n - 1) // DOMAIN)
    components = [_backend(), *(_component(i, domains) for i in range(n - 1))]
    return {
        "components": components,
        "buses": _buses(components, domains),
        "externals": _externals(components, domains),
        "flows": _flows(components, domains),
    }


# -- OpenCSMS ------------------------------------------------------------------------------------------


def to_model(spec: dict[str, Any]) -> m.TaraModel:
    components, assets, damage = [], [], {}
    for c in spec["components"]:
        components.append(m.Component(c["id"], c["name"], c["kind"], tags=tuple(c["tags"])))
        for a in c["assets"]:
            tag = a["tags"][-1]
            ids = {p: (f"DS-{tag}-{p}",) for p in a["properties"]}
            for p, (ds,) in ids.items():
                impact = {c: LEVELS[int(x)] for c, x in zip(CATEGORIES, ASSETS[tag][3], strict=True)}
                damage.setdefault(ds, m.DamageScenario(ds, f"Loss of {p} of {ASSETS[tag][0]}", impact))
            assets.append(
                m.Asset(
                    a["id"], a["name"], tuple(a["properties"]), c["id"], tags=tuple(a["tags"]), damage=ids
                )
            )
    interfaces = [m.Interface(b["id"], b["name"], b["kind"], tuple(b["components"])) for b in spec["buses"]]
    interfaces += [
        m.Interface(x["id"], x["name"], x["kind"], tuple(x["components"]), external=True)
        for x in spec["externals"]
    ]
    flows = [m.DataFlow(f["id"], f["source"], f["target"], f["interface"], f["data"]) for f in spec["flows"]]
    return m.TaraModel(
        "bench",
        "Synthetic vehicle",
        m.Item("Synthetic vehicle"),
        components=tuple(components),
        interfaces=tuple(interfaces),
        data_flows=tuple(flows),
        assets=tuple(assets),
        damage_scenarios=tuple(damage.values()),
    )


def _threat(p: Proposal, path: m.AttackPath | None) -> m.ThreatScenario:
    """A proposal as a proposed threat scenario with its first attack path (as `tara generate
    --with-paths` writes it): the best path from any entry point to its asset, rated hop by hop."""
    return m.ThreatScenario(
        p.id,
        p.name,
        p.asset,
        p.property,
        p.damage_scenarios,
        cause=p.cause,
        stride=p.stride,
        annex5=p.annex5,
        attack_paths=(path,) if path else (),
        status=m.ReviewStatus.PROPOSED,
        generated=m.Provenance(p.rule, p.asset, p.interface, p.mitigations),
    )


def to_threats(
    model: m.TaraModel, profile: MethodProfile, proposals: list[Proposal]
) -> tuple[m.ThreatScenario, ...]:
    paths = first_paths(model, profile, proposals)
    return tuple(_threat(p, paths.get(p.id)) for p in proposals)


def run_opencsms(spec: dict[str, Any], rules: RuleSet, profile: MethodProfile) -> dict[str, Any]:
    start = time.perf_counter()
    model = to_model(spec)
    model = replace(model, threat_scenarios=to_threats(model, profile, propose(model, rules)))
    result = evaluate(model, profile)
    seconds = time.perf_counter() - start
    start = time.perf_counter()
    paths = asset_paths(model, profile)
    path_seconds = time.perf_counter() - start
    return {
        "findings": len(model.threat_scenarios),
        "seconds": seconds,
        "rated": sum(1 for t in result.threats.values() if t.risk is not None),
        "assets": len(paths),
        "reached": sum(1 for p in paths if p.paths),
        "path_seconds": path_seconds,
    }


# -- pytm, in its own venv -----------------------------------------------------------------------------


def pytm_python() -> Path:
    """The pytm venv's python, creating the venv on first use; raises with the reason on failure."""
    python = PYTM_VENV / "bin" / "python"
    if python.exists() and not subprocess.run([str(python), "-c", "import pytm"], check=False).returncode:
        return python
    print(f"creating {PYTM_VENV.relative_to(BENCH.parent)} and installing pytm (first run only) ...")
    subprocess.run([sys.executable, "-m", "venv", str(PYTM_VENV)], check=True, capture_output=True)
    pip = [str(python), "-m", "pip", "install", "--quiet", "pytm"]
    done = subprocess.run(pip, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"pip install pytm failed: {done.stderr.strip().splitlines()[-1:]}")
    return python


def run_pytm(python: Path, spec: dict[str, Any], timeout: float) -> dict[str, Any]:
    try:
        done = subprocess.run(
            [str(python), str(PYTM_SIDE)],
            input=json.dumps(spec),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    if done.returncode:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- report --------------------------------------------------------------------------------------------

HEAD = (
    f"{'components':>10} {'pytm find.':>10} {'pytm s':>7} {'pytm f/s':>9} {'OpenCSMS find.':>14} "
    f"{'OpenCSMS s':>10} {'OpenCSMS f/s':>12} {'ratio':>6} {'speed-up':>8} {'paths s':>8}"
)


def row(n: int, ours: dict[str, Any], theirs: dict[str, Any] | None) -> tuple[str, float | None]:
    """One line of the table and the ratio of findings per second (None without pytm)."""
    rate = ours["findings"] / ours["seconds"]
    if theirs and "error" not in theirs:
        their_rate = theirs["findings"] / theirs["seconds"]
        ratio = rate / their_rate
        pytm = f"{theirs['findings']:>10,} {theirs['seconds']:>7.2f} {their_rate:>9,.0f}"
        shown = f"{ratio:>5.1f}x {theirs['seconds'] / ours['seconds']:>7.1f}x"
    else:
        ratio, shown = None, f"{'-':>6} {'-':>8}"
        pytm = f"{(theirs or {}).get('error', 'skipped'):>28}"
    line = (
        f"{n:>10,} {pytm} {ours['findings']:>14,} {ours['seconds']:>10.3f} {rate:>12,.0f} {shown} "
        f"{ours['path_seconds']:>8.3f}"
    )
    return line, ratio


def details(spec: dict[str, Any], ours: dict[str, Any], theirs: dict[str, Any] | None) -> str:
    version = f"; pytm {theirs['version']}" if theirs and "version" in theirs else ""
    return (
        f"{'':>10} {len(spec['flows']):,} flows, {ours['assets']:,} assets ({ours['reached']:,} reached by "
        f"a path), {ours['rated']:,} threat scenarios rated{version}"
    )


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        names = [x for x in Path("/proc/cpuinfo").read_text().splitlines() if x.startswith("model name")]
        cpu = names[0].split(":", 1)[1].strip() if names else cpu
    except OSError:
        pass
    return f"python {platform.python_version()}; {os.cpu_count()} CPUs ({cpu}); one core used per side"


def run(sizes: list[int], python: Path | None, timeout: float) -> None:
    start = time.perf_counter()
    rules, profile = load_rules(), load_profile("iso21434")
    print(f"{machine()}; rules + profile loaded once in {time.perf_counter() - start:.2f} s (not timed)")
    run_opencsms(architecture(40), rules, profile)  # warm the catalogue caches
    print(HEAD)
    ratios, path_150 = [], None
    for n in sizes:
        spec = architecture(n)
        ours = run_opencsms(spec, rules, profile)
        theirs = run_pytm(python, spec, timeout) if python else None
        line, ratio = row(n, ours, theirs)
        print(line, details(spec, ours, theirs), sep="\n", flush=True)
        ratios += [ratio] if ratio is not None else []
        path_150 = ours["path_seconds"] if n == 150 else path_150
    verdict = "met" if ratios and min(ratios) >= 10 else "MISSED" if ratios else "not measured"
    print("ratio = OpenCSMS findings/s / pytm findings/s; speed-up = pytm s / OpenCSMS s")
    print(f"target >= 10x pytm's findings/s at every size: {verdict}")
    paths = "not measured" if path_150 is None else "met" if path_150 <= 1 else "MISSED"
    print(f"target attack paths for every asset of 150 components <= 1 s: {paths}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="150,500,1500", help="component counts, comma-separated")
    parser.add_argument("--skip-pytm", action="store_true", help="time OpenCSMS only")
    parser.add_argument("--pytm-timeout", type=float, default=600, help="seconds per pytm run")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if min(sizes) < 20:
        parser.error("sizes must be at least 20 components")
    python = None
    if not args.skip_pytm:
        try:
            python = pytm_python()
        except (OSError, RuntimeError, subprocess.CalledProcessError) as exc:
            print(f"pytm skipped: could not create {PYTM_VENV}: {exc}")
    run(sizes, python, args.pytm_timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
