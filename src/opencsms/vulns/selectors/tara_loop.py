"""The loop into the TARA (ISO/SAE 21434 8.6 -> 15.7): the threat scenarios a finding concerns, through
the TARA component its release runs on; an organisation's rule; the findings rating a TARA's steps."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from opencsms.core.models import User
from opencsms.engine.tara_as_code.trees import gate_of
from opencsms.organisation import selectors as organisation_selectors
from opencsms.organisation.access import Perm, permissions
from opencsms.organisation.models import Level
from opencsms.tara import selectors as tara_selectors
from opencsms.tara.models import Element, Kind, Tara
from opencsms.vulns.models import Finding, LoopMode, LoopRule, StepLink

LINKS_SHOWN = 50


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
    """The threat scenarios of the release's TARA that pass through the release's TARA component
    (`threats_on_component`); empty without a component or a TARA."""
    release_obj = finding_obj.release
    if not release_obj.component_ref or release_obj.tara_id is None:
        return []
    return threats_on_component(release_obj.tara_id, release_obj.component_ref)


def loop_elements(tara_id: int) -> list[Element]:
    """The interfaces, assets and threat scenarios of a TARA, as `threats_on_component` reads them."""
    found = Element.objects.filter(
        tara_id=tara_id, kind__in=[Kind.INTERFACE, Kind.ASSET, Kind.THREAT_SCENARIO]
    )
    return list(found.order_by("kind", "position"))


def _on_component(elements: list[Element], ref: str) -> tuple[set[str], set[str]]:
    """The interfaces attached to component `ref` (`interface.components`) and the assets on it."""
    interfaces = {
        e.ref for e in elements if e.kind == Kind.INTERFACE and ref in (e.data.get("components") or [])
    }
    assets = {e.ref for e in elements if e.kind == Kind.ASSET and e.data.get("component") == ref}
    return interfaces, assets


def threats_on_component(
    tara_id: int, ref: str, elements: list[Element] | None = None
) -> list[dict[str, Any]]:
    """The threat scenarios of a TARA that pass through its component `ref`.

    A threat concerns the component when its asset lies on it (`asset.component`), or when a step of one of
    its attack paths uses an interface attached to it (`interface.components`). Each threat lists its
    paths and, per path, the steps on those interfaces (with their address for `link_finding_to_step`);
    for a threat on the component's asset every step is listed. `elements`: the TARA's `loop_elements`
    when the caller read them once for several components.
    """
    rows = elements if elements is not None else loop_elements(tara_id)
    interfaces, assets = _on_component(rows, ref)
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


Step = tuple[str, str, str]  # threat, path, step address


def step_keys_by_component(refs: list[str], elements: list[Element]) -> dict[str, list[Step]]:
    """`step_keys(threats_on_component(tara_id, ref, elements))` for each component of `refs`, in the same
    order, with the TARA's attack trees walked once for all of them (20 components of a 2,000-threat TARA
    walked one by one took a second)."""
    steps: list[Step] = []
    by_interface: dict[Any, list[int]] = {}
    by_asset: dict[Any, list[int]] = {}
    for element in (e for e in elements if e.kind == Kind.THREAT_SCENARIO):
        asset = element.data.get("asset")
        for path in element.data.get("attack_paths") or []:
            for address, step in _steps(path.get("tree") or {}):
                by_asset.setdefault(asset, []).append(len(steps))
                by_interface.setdefault(step.get("interface"), []).append(len(steps))
                steps.append((element.ref, path.get("id", ""), address))
    found = {}
    for ref in refs:
        interfaces, assets = _on_component(elements, ref)
        chosen = {i for name in interfaces for i in by_interface.get(name, ())}
        chosen.update(i for name in assets for i in by_asset.get(name, ()))
        found[ref] = [steps[i] for i in sorted(chosen)]
    return found


def step_at(data: dict[str, Any], path_ref: str, address: str) -> dict[str, Any] | None:
    """The node at `address` of attack path `path_ref` in a threat scenario's data; None when gone."""
    path = next((p for p in data.get("attack_paths") or [] if str(p.get("id")) == path_ref), None)
    node: Any = (path or {}).get("tree")
    for part in address.split(".") if address else []:
        gate = gate_of(node) if isinstance(node, dict) else None
        children = (node.get(gate) or []) if gate else []
        if not part.isdigit() or int(part) >= len(children):
            return None
        node = children[int(part)]
    return node if isinstance(node, dict) else None


def step_keys(threats: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """(threat, path, step address) of every step of `threats_for_finding` / `threats_on_component`."""
    return [(t["ref"], p["id"], s["address"]) for t in threats for p in t["paths"] for s in p["steps"]]


def loop_mode(organisation_id: int) -> str:
    """The organisation's rule for new findings (`LoopRule`); `off` when it has none."""
    found = LoopRule.objects.filter(organisation_id=organisation_id).values_list("mode", flat=True).first()
    return found or LoopMode.OFF


def organisation_loop_mode(user: User, organisation_id: int) -> str:
    """The rule of an organisation the user may see (404 otherwise)."""
    found = organisation_selectors.level(user, Level.ORGANISATION, organisation_id)
    return loop_mode(found.pk)


def finding_links(finding_obj: Finding) -> list[StepLink]:
    """A finding's links to attack steps (proposed, applied, rejected, reversed), the latest first."""
    found = StepLink.objects.filter(finding=finding_obj).select_related("decided_by")
    return list(found.order_by("-updated_at", "-pk")[:LINKS_SHOWN])


def tara_step_links(user: User, tara_id: int, threat_ref: str = "") -> QuerySet[StepLink]:
    """The findings rating (or proposed to rate) the attack steps of a TARA the user may see, or of one
    of its threat scenarios; 404 for a TARA outside the user's projects."""
    return _links_of(tara_selectors.tara(user, tara_id), threat_ref)


def _links_of(tara: Tara, threat_ref: str) -> QuerySet[StepLink]:
    found = StepLink.objects.filter(tara=tara)
    if threat_ref:
        found = found.filter(threat_ref=threat_ref)
    return found.select_related("finding__release", "decided_by").order_by(
        "threat_ref", "path_ref", "address", "pk"
    )


@dataclass(frozen=True)
class StepLinksPanel:
    """The TARA element page's list of the findings rating a threat scenario's steps."""

    tara: Tara
    threat_ref: str
    links: list[StepLink]
    can_edit: bool


def step_links_panel(user: User, tara_id: int, threat_ref: str) -> StepLinksPanel:
    tara = tara_selectors.tara(user, tara_id)
    links = _links_of(tara, threat_ref)
    can_edit = Perm.EDIT in permissions(user, tara.project)
    return StepLinksPanel(tara, threat_ref, list(links[:LINKS_SHOWN]), can_edit)
