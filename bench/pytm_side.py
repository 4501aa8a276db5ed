"""The pytm side of bench/threatgen_vs_pytm.py; it runs in the benchmark's own venv (bench/.venv-pytm).

Reads the synthetic architecture as JSON on stdin, builds it as a pytm model and resolves pytm's threat
library against it; prints one JSON line: findings, seconds and pytm's version. The time covers building
the elements, `tm.check()` and `tm.resolve()`; interpreter start, imports and `TM()` (which loads pytm's
threat library, like OpenCSMS's rules and profile, loaded outside its timing) are excluded.
One architecture per process: pytm keeps its model in class-level state.
"""

from __future__ import annotations

import json
import sys
import time
from importlib.metadata import version
from typing import Any

from pytm import TM, Actor, Boundary, Classification, Data, Dataflow, Datastore, Process, Server

SECRET = {"key", "credential"}
PERSONAL = {"personal_data", "location"}


def _data(asset: dict[str, Any]) -> Data:
    tags = set(asset["tags"])
    level = (
        Classification.SECRET
        if tags & SECRET
        else Classification.SENSITIVE
        if tags & PERSONAL
        else Classification.RESTRICTED
    )
    return Data(
        asset["name"],
        classification=level,
        isPII=bool(tags & PERSONAL),
        isCredentials=bool(tags & SECRET),
        isStored=asset["stored"],
    )


def build(spec: dict[str, Any]) -> None:
    """Components -> Server (gateway, back end) or Process; stored assets -> Datastore with a flow;
    external interfaces -> Actor with a flow to each component; every data flow -> Dataflow."""
    zones = {"vehicle": Boundary("Vehicle"), "backend": Boundary("Back end")}
    elements, data = {}, {}
    for c in spec["components"]:
        kind = Server if c["kind"] in ("gateway", "backend") else Process
        element = kind(c["name"], inBoundary=zones[c["zone"]])
        elements[c["id"]] = element
        for asset in c["assets"]:
            data[asset["id"]] = _data(asset)
            if asset["stored"]:
                store = Datastore(f"{asset['name']} store", inBoundary=zones[c["zone"]])
                Dataflow(element, store, f"store {asset['name']}", data=data[asset["id"]])
    actors: dict[str, Actor] = {}
    for x in spec["externals"]:
        actor = actors.setdefault(x["actor"], Actor(x["actor"]))
        for component in x["components"]:
            Dataflow(actor, elements[component], f"{x['name']} to {component}", protocol=x["kind"])
    for f in spec["flows"]:
        source, sink = elements[f["source"]], elements[f["target"]]
        Dataflow(source, sink, f["id"], protocol=f["protocol"], data=data[f["data"]])


def main() -> None:
    spec = json.load(sys.stdin)
    tm = TM("Synthetic vehicle", description="bench/threatgen_vs_pytm.py")
    start = time.perf_counter()
    build(spec)
    tm.check()
    tm.resolve()
    seconds = time.perf_counter() - start
    print(json.dumps({"findings": len(tm.findings), "seconds": seconds, "version": version("pytm")}))


if __name__ == "__main__":
    main()
