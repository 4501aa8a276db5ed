"""The loop into the TARA (ISO/SAE 21434 8.6 -> 15.7): the threat scenarios a finding concerns, through
the TARA component its release runs on."""

from __future__ import annotations

from typing import Any

from opencsms.engine.tara_as_code.trees import gate_of
from opencsms.tara.models import Element, Kind
from opencsms.vulns.models import Finding


def _steps(node: dict[str, Any], address: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every leaf (attack step) of an attack tree with its address ("" root, "0.2" ...)."""
    gate = gate_of(node)
    if gate is None:
        return [(address, node)]
    found: list[tuple[str, dict[str, Any]]] = []
    for index, child in enumerate(node.get(gate) or []):
        found.extend(_steps(child, f"{address}.{index}" if address else str(index)))
    return found


def threats_for_finding(finding_obj: Finding) -> list[dict[str, Any]]:
    """The threat scenarios of the release's TARA that pass through the release's TARA component.

    A threat concerns the component when its asset lies on it (`asset.component`), or when a step of one of
    its attack paths uses an interface attached to it (`interface.components`). Each threat lists its
    paths and, per path, the steps on those interfaces (with their address for `link_finding_to_step`);
    for a threat on the component's asset every step is listed. Empty without a component or a TARA.
    """
    release_obj = finding_obj.release
    ref = release_obj.component_ref
    if not ref or release_obj.tara_id is None:
        return []
    rows = Element.objects.filter(
        tara_id=release_obj.tara_id, kind__in=[Kind.INTERFACE, Kind.ASSET, Kind.THREAT_SCENARIO]
    ).order_by("kind", "position")
    interfaces = {e.ref for e in rows if e.kind == Kind.INTERFACE and ref in (e.data.get("components") or [])}
    assets = {e.ref for e in rows if e.kind == Kind.ASSET and e.data.get("component") == ref}
    threats = []
    for element in (e for e in rows if e.kind == Kind.THREAT_SCENARIO):
        on_asset = element.data.get("asset") in assets
        paths = []
        for path in element.data.get("attack_paths") or []:
            steps = [
                {
                    "address": address,
                    "name": str(step.get("name", "")),
                    "interface": step.get("interface", ""),
                    "cvss": step.get("cvss", ""),
                }
                for address, step in _steps(path.get("tree") or {})
                if on_asset or step.get("interface") in interfaces
            ]
            if steps:
                paths.append({"id": path.get("id", ""), "name": path.get("name", ""), "steps": steps})
        if paths:
            threats.append(
                {
                    "ref": element.ref,
                    "name": element.label,
                    "risk": element.risk,
                    "on_asset": on_asset,
                    "paths": paths,
                }
            )
    return threats
